/** End-to-end: examples/fault-tolerance runs and its monitor sees every restart. */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { ROOT, runDora } from "./helpers.ts";

Deno.test("examples/fault-tolerance restarts the flaky node and the monitor sees it", async () => {
  const run = await runDora([
    "run",
    `${ROOT}/examples/fault-tolerance/dataflow.yml`,
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assertMatch(
    output,
    /monitor: received \d+ readings, upstream restarted 3 times, failures: none/,
  );
  assertMatch(output, /restarting in 100ms/);
  assertEquals(run.code, 0, output);
});
