import assert from "node:assert/strict";
import { logFilesOf, LogFileWriter, readRunLogs } from "./mod.ts";

Deno.test("LogFileWriter rotates at max size and keeps max_rotated_files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = new LogFileWriter(dir, "n", { maxSize: 300, maxRotated: 2 });
    for (let i = 0; i < 40; i++) {
      w.write({
        ts: new Date(1_700_000_000_000 + i).toISOString(),
        level: "info",
        node: "n",
        stream: "stdout",
        msg: `line ${String(i).padStart(2, "0")}`,
        target: null,
        fields: null,
      });
    }
    w.close();
    const files = (await logFilesOf(dir, "n")).map((p) =>
      p.slice(dir.length + 1)
    );
    assert.deepEqual(files, ["log_n.2.jsonl", "log_n.1.jsonl", "log_n.jsonl"]);
    const msgs = (await readRunLogs(dir, ["n"])).map((r) => r.msg);
    assert.equal(msgs.at(-1), "line 39");
    // Kept lines are contiguous and in order.
    const first = Number(msgs[0]!.slice(5));
    assert.deepEqual(
      msgs,
      msgs.map((_, i) => `line ${String(first + i).padStart(2, "0")}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
