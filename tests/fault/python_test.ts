/** End-to-end: a Python node sees NODE_RESTARTED, NODE_FAILED and INPUT_RECOVERED. */
import assert from "node:assert/strict";
import { only, runFaultDataflow } from "../_support/fault.ts";
import { scenario } from "../_support/scenarios.ts";

Deno.test("dora run delivers NODE_RESTARTED and NODE_FAILED to a Python node", async () => {
  const run = await runFaultDataflow(
    scenario("crashing_sender_observed", { OBSERVER: "observer.py" }),
  );
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
  const run = await runFaultDataflow(
    scenario("quiet_input_recovers", { OBSERVER: "observer.py" }),
  );
  const events = only(run.reports, "INPUT_CLOSED", "INPUT_RECOVERED")
    .map((r) => `${r.event}:${r.id}`);
  assert.deepEqual(events.slice(0, 3), [
    "INPUT_CLOSED:data",
    "INPUT_RECOVERED:data",
    "INPUT_CLOSED:data",
  ], run.output);
});
