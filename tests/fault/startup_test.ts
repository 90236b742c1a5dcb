/** End-to-end: nodes that never connect, or die before connecting, fail the start by name. */
import assert from "node:assert/strict";
import { runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run fails the start naming a node hung before connecting", async () => {
  const run = await runFaultDataflow(
    `
nodes:
  - id: stuck
    path: $FIXTURES/never_connects.ts
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      tick: dora/timer/millis/100
`,
    { env: { DORA_STARTUP_TIMEOUT: "1" } },
  );
  assert.notEqual(run.code, 0);
  assert.match(run.output, /node "stuck" did not connect .*within 1s/);
});

Deno.test("dora run fails the start naming a node that exits before connecting", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: early
    path: $FIXTURES/exits_early.ts
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      tick: dora/timer/millis/100
`);
  assert.notEqual(run.code, 0);
  assert.match(
    run.output,
    /node "early" exited before connecting to the daemon \((exited with )?(exit )?code 4\)/,
  );
});
