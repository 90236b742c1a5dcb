/** End-to-end: NODE_FAILED reaches the downstream nodes of a failed node. */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  notStrictEqual as assertNotEquals,
} from "node:assert/strict";
import { only, runFaultDataflow } from "./fault_helpers.ts";

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
  assertEquals(seen, [
    {
      event: "NODE_FAILED",
      id: "sender",
      inputs: ["data"],
      error: "exited with code 3",
    },
    { event: "INPUT_CLOSED", id: "data" },
  ], run.output);
  assertNotEquals(run.code, 0);
  assertMatch(run.output, /sender/);
});
