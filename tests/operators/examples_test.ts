/**
 * End to end: the operator examples through a real `dora run` — Python
 * operators with the original's API (several in one node, in-process
 * delivery, `send_stdout_as`, a shared-memory frame into an operator) and
 * TypeScript operators.
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test("dora run examples/python-operator-dataflow passes frames through Python operators", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/python-operator-dataflow/dataflow.yml`,
    // A bound, should a bug keep it running: the assertions then fail.
    "--stop-after",
    "60s",
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(
    output,
    /checker: SUCCESS: 20 tracks of a square moving 1 px per frame, 20 detector lines/,
  );
  // Lines printed by an operator name node and operator.
  assert.match(output, /vision: detector: frame 19: box at x=29/);
  assert.match(output, /vision: tracker: input bbox closed after x=29\.0/);
  assert.equal(run.code, 0, output);
});

Deno.test("dora run examples/typescript-operator-dataflow chains TypeScript operators", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/typescript-operator-dataflow/dataflow.yml`,
    "--stop-after",
    "60s",
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(output, /sink: SUCCESS: 20 doubled counts in order/);
  assert.match(output, /pipeline: counter: sent 20 counts/);
  assert.equal(run.code, 0, output);
});
