/** End-to-end: the input_timeout circuit breaker closes and recovers an input. */
import assert from "node:assert/strict";
import { runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run closes a quiet input after input_timeout and recovers it when data flows", async () => {
  const run = await runFaultDataflow(`
health_check_interval: 0.1
nodes:
  - id: sender
    path: $FIXTURES/burst_sender.ts
    args: --burst 3 --every-ms 50 --pause-ms 1500
    outputs: [data]
  - id: observer
    path: $FIXTURES/observer.ts
    args: --exit-after-closed 2
    inputs:
      tick: dora/timer/millis/100
      data:
        source: sender/data
        input_timeout: 0.5
`);
  const data = run.reports.filter((r) => r.id === "data" && !("node" in r)).map(
    (r) => r.event,
  );
  // Collapse runs of INPUT so that delivery counts do not matter.
  const shape = data.filter((e, i) => e !== "INPUT" || data[i - 1] !== "INPUT");
  assert.deepEqual(
    shape,
    ["INPUT", "INPUT_CLOSED", "INPUT_RECOVERED", "INPUT", "INPUT_CLOSED"],
    run.output,
  );
  assert.match(run.output, /input "data" of "observer" timed out/);
  assert.match(run.output, /input timeout/, "the fault summary counts it");
  assert.deepEqual(run.code, 0, run.output);
});
