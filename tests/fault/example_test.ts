/** End-to-end: examples/fault-tolerance runs and its monitor sees every restart. */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test("examples/fault-tolerance restarts the flaky node and the monitor sees it", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/fault-tolerance/dataflow.yml`,
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(
    output,
    /monitor: received \d+ readings, upstream restarted 3 times, failures: none/,
  );
  assert.match(output, /restarting in 100ms/);
  assert.deepEqual(run.code, 0, output);
});
