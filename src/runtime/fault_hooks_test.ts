import assert from "node:assert/strict";
import type { Dataflow, InputSpec, NodeSpec } from "../descriptor/model.ts";
import { ManualClock } from "../fault/manual_clock.ts";
import { testInput, testNode as spec } from "../fault/_test_specs.ts";
import { FaultHooks } from "./fault_hooks.ts";
import { ReceiverQueue } from "./delivery/receiver_queue.ts";
import { RunningNode } from "./running_node.ts";

function input(id: string, from: string, extra: Partial<InputSpec> = {}) {
  return testInput(id, from, { queueSize: 2, ...extra });
}

function setup(specs: NodeSpec[]) {
  const dataflow: Dataflow = {
    path: "/x/dataflow.yml",
    workingDir: "/x",
    nodes: specs,
    healthCheckInterval: 0.05,
    debug: { publishAllMessages: false },
  };
  const nodes = new Map<string, RunningNode>();
  for (const s of specs) {
    const n = new RunningNode(s, true);
    n.queue = new ReceiverQueue(s.inputs, { onDrop: () => {} });
    nodes.set(s.id, n);
  }
  const clock = new ManualClock();
  const messages: string[] = [];
  const hooks = new FaultHooks(dataflow, {
    nodes,
    deliver: () => {},
    failStart: (m) => messages.push(`failStart: ${m}`),
    terminate: (n) => messages.push(`terminate: ${n.spec.id}`),
    message: (_l, t) => messages.push(t),
    logDir: "/nonexistent",
    clock,
  });
  hooks.start();
  for (const s of specs) hooks.connected(s.id);
  const events = (id: string) =>
    nodes.get(id)!.queue.take(100).map((e) =>
      `${e.header.t}:${e.header.id ?? e.header.cause ?? ""}`
    );
  return { hooks, nodes, clock, messages, events };
}

Deno.test("FaultHooks closes a timed-out input and recovers it", () => {
  const { hooks, clock, events } = setup([
    spec("src"),
    spec("sink", {
      inputs: [
        input("a", "src", { inputTimeout: 0.1 }),
        input("b", "src"),
      ],
    }),
  ]);
  assert.ok(hooks.admit("sink", "a"));
  clock.advance(200);
  assert.deepEqual(events("sink"), ["input_closed:a"]);
  assert.ok(hooks.admit("sink", "a"));
  assert.deepEqual(events("sink"), ["input_recovered:a"]);
  const stats = hooks.summary().nodes.sink!;
  assert.deepEqual([stats.inputTimeouts, stats.recoveries], [1, 1]);
});

Deno.test("FaultHooks closes the last open input for real (STOP follows)", () => {
  const { hooks, clock, events } = setup([
    spec("src"),
    spec("sink", { inputs: [input("a", "src", { inputTimeout: 0.1 })] }),
  ]);
  hooks.admit("sink", "a");
  clock.advance(200);
  assert.deepEqual(events("sink"), [
    "input_closed:a",
    "stop:ALL_INPUTS_CLOSED",
  ]);
});

Deno.test("FaultHooks.decide() answers a restart after the backoff and announces it", async () => {
  const { hooks, clock, events } = setup([
    spec("src", { restartPolicy: "on-failure", restartDelay: 0.5 }),
    spec("sink", { inputs: [input("a", "src")] }),
  ]);
  const decision = hooks.decide({
    node: spec("src"),
    status: { code: 1, signal: null, success: false },
    restarts: 0,
  });
  assert.ok(decision instanceof Promise);
  assert.deepEqual(events("sink"), ["node_restarted:src"]);
  clock.advance(500);
  assert.deepEqual(await decision, { restart: true, delayMs: 0 });
});

Deno.test("FaultHooks.decide() answers no restart when a stop begins during the backoff", async () => {
  const { hooks } = setup([
    spec("src", { restartPolicy: "always", restartDelay: 60 }),
  ]);
  const decision = hooks.decide({
    node: spec("src"),
    status: { code: 0, signal: null, success: true },
    restarts: 0,
  });
  hooks.stopBegun();
  assert.deepEqual(await decision, { restart: false });
});

Deno.test("FaultHooks.summary() counts queue drops as dropped messages", () => {
  const { hooks, nodes } = setup([
    spec("src"),
    spec("sink", { inputs: [input("a", "src")] }),
  ]);
  const sink = nodes.get("sink")!;
  for (let i = 0; i < 5; i++) {
    sink.queue.pushInput("a", {
      header: { t: "input", id: "a" },
      payload: null,
      from: "src",
    });
  }
  assert.deepEqual(hooks.summary().nodes.sink!.droppedMessages, 3);
  assert.deepEqual(hooks.summary().totals.droppedMessages, 3);
});
