/**
 * `dora logs` honours DORA_LOG_LEVEL, DORA_LOG_FORMAT and DORA_LOG_FILTER
 * when the flags are not given (flags win), like `dora run`.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

const NODE_PY = `from dora import Node
node = Node()
print("a plain stdout line", flush=True)
node.log("warn", "a warning")
`;

Deno.test("dora logs takes its level, format and filter from DORA_LOG_* unless flags say otherwise", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-logs-env-" });
  try {
    Deno.writeTextFileSync(`${dir}/talk.py`, NODE_PY);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: alpha\n    path: talk.py\n  - id: beta\n    path: talk.py\n",
    );
    const ran = await runDora(["run", "dataflow.yml"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const logs = (env: Record<string, string>, ...flags: string[]) =>
      runDora(["logs", "--local", "--all-nodes", ...flags], { cwd: dir, env });

    const all = await logs({});
    assert.match(all.stdout, /alpha: a plain stdout line/);
    assert.match(all.stdout, /beta: a warning/);

    const warn = await logs({ DORA_LOG_LEVEL: "warn" });
    assert.equal(warn.code, 0, warn.stderr);
    assert.doesNotMatch(warn.stdout, /a plain stdout line/);
    assert.match(warn.stdout, /alpha: a warning/);
    const flagWins = await logs(
      { DORA_LOG_LEVEL: "warn" },
      "--level",
      "stdout",
    );
    assert.match(flagWins.stdout, /a plain stdout line/);

    const json = await logs({ DORA_LOG_FORMAT: "json" });
    const lines = json.stdout.trim().split("\n");
    assert.ok(lines.length >= 4, json.stdout);
    for (const line of lines) assert.ok(JSON.parse(line).node);

    const filtered = await logs({ DORA_LOG_FILTER: "alpha=error" });
    assert.doesNotMatch(filtered.stdout, /alpha:/);
    assert.match(filtered.stdout, /beta: a plain stdout line/);

    const bad = await logs({ DORA_LOG_FORMAT: "fancy" });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /DORA_LOG_FORMAT/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
