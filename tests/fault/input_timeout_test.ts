/** End-to-end: the input_timeout circuit breaker closes and recovers an input. */
import assert from "node:assert/strict";
import { runFaultDataflow } from "../_support/fault.ts";
import { scenario } from "../_support/scenarios.ts";

Deno.test("dora run closes a quiet input after input_timeout and recovers it when data flows", async () => {
  const run = await runFaultDataflow(
    scenario("quiet_input_recovers", { OBSERVER: "observer.ts" }),
  );
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
