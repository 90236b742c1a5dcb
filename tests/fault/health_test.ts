/** End-to-end: a hung node is killed by the health check and restarted. */
import assert from "node:assert/strict";
import { only, runFaultDataflow } from "../_support/fault.ts";

Deno.test("dora run kills a node silent past health_check_timeout and restarts it", async () => {
  const run = await runFaultDataflow(`
health_check_interval: 0.1
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 3 --exit-code 0 --hang-after 2
    inputs:
      tick: dora/timer/millis/50
    outputs: [data]
    restart_policy: on-failure
    health_check_timeout: 1.0
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      data: sender/data
`);
  const sender = run.reports.filter((r) => r.node === "sender");
  assert.deepEqual(
    sender.map((r) => `${r.event}:${r.restart}`),
    ["start:0", "hang:0", "start:1", "exit:1"],
    run.output,
  );
  assert.match(run.output, /"sender" killed by the health check/);
  assert.ok(
    only(run.reports, "NODE_RESTARTED").some((r) => r.id === "sender"),
    run.output,
  );
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run reports a hung node killed by the health check as failed", async () => {
  const run = await runFaultDataflow(`
health_check_interval: 0.1
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 3 --hang-after 1
    inputs:
      tick: dora/timer/millis/50
    outputs: [data]
    health_check_timeout: 1.0
`);
  assert.match(
    run.stderr,
    /error: node "sender" failed: killed by the health check \(no activity for/,
  );
  assert.match(run.output, /1 health-check kill/);
  assert.ok(run.code !== 0);
});
