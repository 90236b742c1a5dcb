/**
 * End-to-end: restart policies under `dora run` (on-failure up to
 * max_restarts, always, the restart window, growing backoff, restart_count).
 */
import assert from "node:assert/strict";
import { only, runFaultDataflow } from "../_support/fault.ts";
import { scenario } from "../_support/scenarios.ts";

const starts = (reports: { event: string; restart?: unknown }[]) =>
  reports.filter((r) =>
    r.event === "start" && "node" in r && r.node === "sender"
  )
    .map((r) => r.restart);

Deno.test("dora run restarts an on-failure node up to max_restarts, then gives up", async () => {
  const run = await runFaultDataflow(scenario("crashing_sender_restarted"));
  assert.deepEqual(starts(run.reports), [0, 1, 2], run.output);
  assert.match(run.output, /max restarts \(2\) exceeded, giving up/);
  assert.match(
    run.stderr,
    /error: node "sender" failed: .*max restarts \(2\) exceeded, giving up/,
  );
  assert.notEqual(run.code, 0);
  const seen = only(
    run.reports,
    "NODE_RESTARTED",
    "NODE_FAILED",
    "INPUT_CLOSED",
  );
  assert.deepEqual(seen.slice(0, 2), [
    { event: "NODE_RESTARTED", id: "sender" },
    { event: "NODE_RESTARTED", id: "sender" },
  ], run.output);
  const failed = seen[2]!;
  assert.deepEqual([failed.event, failed.id, failed.inputs], [
    "NODE_FAILED",
    "sender",
    ["data"],
  ]);
  assert.match(String(failed.error), /max restarts \(2\) exceeded/);
  assert.deepEqual(seen[3], { event: "INPUT_CLOSED", id: "data" });
  assert.match(run.output, /restarts/, "the fault summary is printed");
});

Deno.test("dora run restarts an always node after a clean exit", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 0
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: always
    max_restarts: 2
`);
  assert.deepEqual(starts(run.reports), [0, 1, 2], run.output);
  assert.match(run.output, /max restarts \(2\) exceeded, giving up/);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run does not restart an on-failure node after a clean exit", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 0
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
`);
  assert.deepEqual(starts(run.reports), [0], run.output);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run resets the restart count when the restart window elapsed", async () => {
  // Each life lasts ≥ 0.6 s, longer than the 0.5 s window: every crash opens a
  // new window, so max_restarts 1 never trips although there are 3 restarts.
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 12 --exit-code 1 --clean-after-restarts 3
    inputs:
      tick: dora/timer/millis/50
    outputs: [data]
    restart_policy: on-failure
    max_restarts: 1
    restart_window: 0.5
`);
  assert.deepEqual(starts(run.reports), [0, 1, 2, 3], run.output);
  assert.ok(!/giving up/.test(run.output), run.output);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run doubles the restart delay up to max_restart_delay", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 1 --clean-after-restarts 4
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
    restart_delay: 0.1
    max_restart_delay: 0.3
`);
  assert.deepEqual(starts(run.reports), [0, 1, 2, 3, 4], run.output);
  const delays = [...run.output.matchAll(/restarting in (\d+ms)/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(delays, ["100ms", "200ms", "300ms", "300ms"], run.output);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run cancels a pending restart when the dataflow stops", async () => {
  const run = await runFaultDataflow(
    `
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 1
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
    restart_delay: 30
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      tick: dora/timer/millis/100
`,
    { args: ["--stop-after", "1500ms"] },
  );
  assert.deepEqual(starts(run.reports), [0], run.output);
  assert.match(run.output, /restarting in 30s/);
});

Deno.test("dora run does not restart a node after ALL_INPUTS_CLOSED", async () => {
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 2 --exit-code 0
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
  - id: observer
    path: $FIXTURES/observer.ts
    inputs:
      data: sender/data
    restart_policy: always
`);
  const observerStarts = run.reports.filter((r) =>
    r.event === "start" && r.node === "observer"
  );
  assert.deepEqual(observerStarts.length, 1, run.output);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run queues no timer ticks for a node waiting to be restarted", async () => {
  // 50 ticks fall into the restart delay: queued, they would overflow the
  // input (queue_size 10) and arrive as a stale burst after the restart.
  const run = await runFaultDataflow(`
nodes:
  - id: sender
    path: $FIXTURES/sender.ts
    args: --ticks 1 --exit-code 1 --clean-after-restarts 1
    inputs:
      tick: dora/timer/millis/10
    outputs: [data]
    restart_policy: on-failure
    restart_delay: 0.5
`);
  assert.deepEqual(starts(run.reports), [0, 1], run.output);
  assert.ok(!/dropping messages/.test(run.output), run.output);
  assert.deepEqual(run.code, 0, run.output);
});

Deno.test("dora run sends no STOP(ALL_INPUTS_CLOSED) to a node without inputs", async () => {
  const run = await runFaultDataflow(
    `
nodes:
  - id: observer
    path: $FIXTURES/observer.ts
`,
    { args: ["--stop-after", "1s"] },
  );
  const stops = run.reports.filter((r) => r.event === "STOP");
  assert.deepEqual(stops.map((r) => r.cause), ["MANUAL"], run.output);
  assert.deepEqual(run.code, 0, run.output);
});
