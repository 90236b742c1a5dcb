/**
 * Restarting and stopping one node of a running dataflow in the runtime
 * (what `dora node restart` / `dora node stop` do on each machine), with real
 * node processes.
 */
import assert from "node:assert/strict";
import { RuntimeChangeError } from "../../src/runtime/mod.ts";
import { dyn, startRuntime } from "./_runtime.ts";

const PAIR = (counter: string, watcher: string, env = "") => `
  - id: ${counter}
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/20 }
    outputs: [value]${env}
  - id: ${watcher}
    path: ${dyn("watcher.ts")}
    inputs: { value: ${counter}/value }
`;

Deno.test("DataflowRuntime.restartNode() stops the node with its ladder and starts it again: NODE_RESTARTED downstream, its output stays open, counted as a restart", async () => {
  await using run = await startRuntime(`nodes:${PAIR("counter", "watcher")}`);
  await run.saw("watcher", /"type":"INPUT".*"value":3\b/);
  run.runtime.restartNode("counter", 5000);
  await run.saw("counter", /^counter start restart=1$/);
  // The new process counts from 1 again.
  const restartedAt = () =>
    run.events("watcher").findIndex((e) => e.type === "NODE_RESTARTED");
  await run.saw("watcher", /"type":"INPUT".*"value":2\b/, 2);
  assert.ok(run.says("counter").includes("counter stop MANUAL"));
  const events = run.events("watcher");
  assert.ok(restartedAt() > 0, JSON.stringify(events));
  assert.deepEqual(events[restartedAt()], {
    type: "NODE_RESTARTED",
    id: "counter",
  });
  assert.ok(
    events.slice(restartedAt()).some((e) =>
      e.type === "INPUT" && e.value === 1
    ),
  );
  assert.equal(events.filter((e) => e.type === "INPUT_CLOSED").length, 0);
  assert.equal(run.runtime.faultSummary()?.nodes.counter?.restarts, 1);
  const summary = run.runtime.summary();
  assert.equal(summary.nodes.find((n) => n.id === "counter")?.restarts, 1);
});

Deno.test("DataflowRuntime.restartNode() kills a node that ignores STOP after the grace period, then starts it again", async () => {
  await using run = await startRuntime(
    `nodes:${PAIR("counter", "watcher", "\n    env: { IGNORE_STOP: 1 }")}`,
  );
  await run.saw("watcher", /"type":"INPUT"/);
  run.runtime.restartNode("counter", 300);
  await run.saw("counter", /^counter stop MANUAL$/);
  await run.saw("counter", /^counter start restart=1$/);
  await run.saw("watcher", /"type":"NODE_RESTARTED"/);
});

Deno.test("DataflowRuntime.stopNode() ends one node: INPUT_CLOSED downstream, the rest runs on, its outcome is stopped", async () => {
  await using run = await startRuntime(
    `nodes:${PAIR("counter", "watcher")}${PAIR("other", "other_watcher")}`,
  );
  await run.saw("watcher", /"type":"INPUT"/);
  run.runtime.stopNode("counter");
  await run.saw("watcher", /"type":"END"/);
  const events = run.events("watcher");
  assert.deepEqual(events.slice(-3), [
    { type: "INPUT_CLOSED", id: "value" },
    { type: "STOP", cause: "ALL_INPUTS_CLOSED" },
    { type: "END" },
  ]);
  // The other pair still exchanges messages.
  const before = run.events("other_watcher").length;
  await run.saw("other_watcher", /"type":"INPUT"/, before + 3);
  const counter = run.runtime.summary().nodes.find((n) => n.id === "counter")!;
  assert.equal(counter.outcome, "stopped");
  assert.match(counter.message!, /stopped by `dora node stop`/);
  assert.equal(counter.restarts, 0);
  // Stopped for good: it cannot be stopped or restarted again.
  assert.throws(
    () => run.runtime.restartNode("counter"),
    (e: unknown) =>
      e instanceof RuntimeChangeError && e.code === "not_running" &&
      /node "counter" is not running \(stopped\)/.test(e.message),
  );
});

Deno.test("DataflowRuntime.restartNode() / stopNode() of an unknown node is an error naming it, and nothing changes", async () => {
  await using run = await startRuntime(`nodes:${PAIR("counter", "watcher")}`);
  await run.saw("watcher", /"type":"INPUT"/);
  for (const f of [run.runtime.restartNode, run.runtime.stopNode]) {
    assert.throws(
      () => f.call(run.runtime, "nope"),
      (e: unknown) =>
        e instanceof RuntimeChangeError && e.code === "unknown_node" &&
        /no node "nope" in dataflow/.test(e.message),
    );
  }
  const n = run.events("watcher").length;
  await run.saw("watcher", /"type":"INPUT"/, n + 2);
  assert.equal(
    run.events("watcher").filter((e) =>
      e.type !== "INPUT" && e.type !== "START"
    )
      .length,
    0,
  );
});
