/** End-to-end: Python nodes through a real `dora run` (examples/python-dataflow). */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { ROOT, runDora } from "./helpers.ts";

Deno.test("examples/python-dataflow passes numbers and a shared-memory image through Python nodes", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/python-dataflow/dataflow.yml`,
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assertMatch(
    output,
    /receiver: SUCCESS: received 20 doubled messages in order and a bit-exact image/,
  );
  assertMatch(output, /sender: sent 20 messages/);
  assertEquals(run.code, 0, output);
});
