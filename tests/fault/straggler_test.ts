/** End-to-end: a node lingering after every other node finished is stopped. */
import assert from "node:assert/strict";
import { runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run stops a node that lingers after its inputs closed", async () => {
  const run = await runFaultDataflow(
    `
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 2 --exit-code 0
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
  - id: straggler
    path: $FIXTURES/straggler.ts
    inputs:
      data: sender/data
`,
    { env: { DORA_FINISH_DRAIN_GRACE_SECS: "0.5" } },
  );
  assert.ok(run.reports.some((r) => r.event === "lingering"), run.output);
  assert.match(run.output, /"straggler" still running .* stopping it/);
  assert.deepEqual(run.code, 0, run.output);
});
