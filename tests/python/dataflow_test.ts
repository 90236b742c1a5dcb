/** End-to-end: Python nodes through a real `dora run` (examples/python-dataflow). */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test("examples/python-dataflow passes numbers and a shared-memory image through Python nodes", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/python-dataflow/dataflow.yml`,
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(
    output,
    /receiver: SUCCESS: received 20 doubled messages in order and a bit-exact image/,
  );
  assert.match(output, /sender: sent 20 messages/);
  assert.deepEqual(run.code, 0, output);
});
