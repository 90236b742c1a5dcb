/** End-to-end: a Python node sees NODE_RESTARTED, NODE_FAILED and INPUT_RECOVERED. */
import assert from "node:assert/strict";
import { only, runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run delivers NODE_RESTARTED and NODE_FAILED to a Python node", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 2 --exit-code 1
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
    max_restarts: 1
  - id: observer
    path: $FIXTURES/observer.py
    inputs:
      data: sender/data
`);
  const seen = only(
    run.reports,
    "NODE_RESTARTED",
    "NODE_FAILED",
    "INPUT_CLOSED",
  );
  assert.deepEqual(seen.map((r) => `${r.event}:${r.id}`), [
    "NODE_RESTARTED:sender",
    "NODE_FAILED:sender",
    "INPUT_CLOSED:data",
  ], run.output);
  assert.deepEqual(seen[1]!.inputs, ["data"]);
  assert.match(String(seen[1]!.error), /max restarts \(1\) exceeded/);
});

Deno.test("dora run recovers a timed-out input of a Python node", async () => {
  const run = await runFaultDataflow(`
health_check_interval: 0.1
nodes:
  - id: sender
    path: $FIXTURES/burst_sender.ts
    args: --burst 3 --every-ms 50 --pause-ms 1500
    outputs: [data]
  - id: observer
    path: $FIXTURES/observer.py
    args: --exit-after-closed 2
    inputs:
      tick: dora/timer/millis/100
      data:
        source: sender/data
        input_timeout: 0.5
`);
  const events = only(run.reports, "INPUT_CLOSED", "INPUT_RECOVERED")
    .map((r) => `${r.event}:${r.id}`);
  assert.deepEqual(events.slice(0, 3), [
    "INPUT_CLOSED:data",
    "INPUT_RECOVERED:data",
    "INPUT_CLOSED:data",
  ], run.output);
});
