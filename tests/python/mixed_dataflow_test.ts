/** End-to-end: TypeScript and Python nodes in one dataflow (examples/mixed-dataflow). */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test("examples/mixed-dataflow moves arrays and 10 MB Float32 bit-exact between TypeScript and Python", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/mixed-dataflow/dataflow.yml`,
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  // TypeScript -> Python: checked by the Python relay.
  assert.match(output, /py_relay: 10 MB from TypeScript bit-exact: True/);
  // Python -> TypeScript (and the round trip of the small arrays): checked by the TS sink.
  assert.match(
    output,
    /ts_sink: SUCCESS: 10 arrays TS -> Python -> TS in order; 10 MB bit-exact TS -> Python and Python -> TS/,
  );
  assert.deepEqual(run.code, 0, output);
});
