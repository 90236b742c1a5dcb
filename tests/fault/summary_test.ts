/** End-to-end: the fault counters in `dora run`'s summary and log folder. */
import assert from "node:assert/strict";
import { runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run reports fault counters in the JSON summary and fault_summary.json", async () => {
  let fromFile: unknown;
  const run = await runFaultDataflow(
    `
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 1 --clean-after-restarts 1
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
`,
    {
      args: ["--log-format", "json"],
      inspect: async (dir) => {
        for await (const e of Deno.readDir(`${dir}/out`)) {
          fromFile = JSON.parse(
            await Deno.readTextFile(`${dir}/out/${e.name}/fault_summary.json`),
          );
        }
      },
    },
  );
  assert.deepEqual(run.code, 0, run.output);
  const line = run.stderr.split("\n").find((l) => l.includes('"summary"'));
  const summary = JSON.parse(line!).summary;
  assert.deepEqual(summary.fault.nodes.sender.restarts, 1, run.output);
  assert.deepEqual(summary.fault.totals.restarts, 1);
  assert.deepEqual(
    (fromFile as { nodes: Record<string, { restarts: number }> }).nodes.sender
      .restarts,
    1,
  );
  assert.match(run.output, /sender: 1 restart/);
});
