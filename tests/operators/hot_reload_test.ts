/**
 * End to end: `dora run --hot-reload` reloads a changed Python or TypeScript
 * operator in place (a new instance; the dataflow keeps running), and keeps
 * the running version when the new code does not load.
 */
import assert from "node:assert/strict";
import { DoraProcess, tempDataflow } from "../_support/dora.ts";

/** Prints every value it receives; runs until stopped. */
const SINK = `from dora import Node
node = Node()
for event in node:
    if event["type"] == "INPUT":
        print(f"sink got {event['value'][0].as_py()}", flush=True)
`;

const python = (version: string) =>
  `import pyarrow as pa
from dora import DoraStatus


class Operator:
    def __init__(self):
        self.n = 0

    def on_event(self, dora_event, send_output):
        if dora_event["type"] == "INPUT":
            self.n += 1
            send_output("out", pa.array(["${version}#" + str(self.n)]))
        return DoraStatus.CONTINUE
`;

const typescript = (version: string) =>
  `export class Operator {
  n = 0;
  onEvent(event: { type: string }, send: (id: string, v: string[]) => void) {
    if (event.type === "INPUT") send("out", [\`${version}#\${++this.n}\`]);
  }
}
`;

for (
  const [kind, file, source, broken, error] of [
    ["python", "op.py", python, "def broken(:\n", /SyntaxError/],
    [
      "typescript",
      "op.ts",
      typescript,
      "export const nothing = 1;\n",
      /defines no operator/,
    ],
  ] as const
) {
  Deno.test(`dora run --hot-reload reloads a changed ${kind} operator and keeps it when the new code is broken`, async () => {
    await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      ${kind}: ${file}
      inputs:
        tick: dora/timer/millis/30
      outputs: [out]
  - id: sink
    path: sink.py
    inputs:
      text: pipeline/out
`);
    const path = `${df.dir}/${file}`;
    await Deno.writeTextFile(path, source("v1"));
    await Deno.writeTextFile(`${df.dir}/sink.py`, SINK);
    const dora = new DoraProcess(["run", df.path, "--hot-reload"]);
    try {
      await dora.waitForLine(/sink got v1#3/);
      // An edit within the same second that keeps the size: a reload that
      // trusted a cache keyed by mtime and size would load v1 again.
      const { mtime } = await Deno.stat(path);
      await Deno.writeTextFile(path, source("v2"));
      await Deno.utime(path, new Date(), mtime!);
      await dora.waitForLine(
        /op\.(py|ts) changed: reloading operator "op" of node "pipeline"/,
      );
      await dora.waitForLine(/operator "op" of node "pipeline" reloaded from/);
      // A new instance: its counter starts again.
      await dora.waitForLine(/sink got v2#1\b/);
      await Deno.writeTextFile(path, broken);
      const failed = await dora.waitForLine(
        /reload of \S+ failed, the running version stays/,
      );
      await dora.waitForLine(error);
      assert.ok(failed);
      // Still the v2 instance, counting on.
      const last = dora.lines.filter((l) => /sink got v2#/.test(l)).length;
      await dora.waitForLine(new RegExp(`sink got v2#${last + 2}\\b`));
      dora.kill("SIGINT");
      const r = await dora.result();
      assert.equal(r.code, 0, dora.lines.join("\n"));
    } finally {
      try {
        dora.kill("SIGKILL");
      } catch {
        // already exited
      }
      await dora.result();
    }
  });
}
