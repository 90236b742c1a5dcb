/** End-to-end: NODE_FAILED reaches the downstream nodes of a failed node. */
import assert from "node:assert/strict";
import { only, runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run sends NODE_FAILED downstream when a node fails without restart", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 2 --exit-code 3
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      data: sender/data
`);
  const seen = only(run.reports, "NODE_FAILED", "INPUT_CLOSED");
  assert.deepEqual(seen, [
    {
      event: "NODE_FAILED",
      id: "sender",
      inputs: ["data"],
      error: "exited with code 3",
    },
    { event: "INPUT_CLOSED", id: "data" },
  ], run.output);
  assert.notEqual(run.code, 0);
  assert.match(run.output, /sender/);
});
