import assert from "node:assert/strict";
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import { ManualClock } from "./manual_clock.ts";
import { testInput as input, testNode as node } from "./_test_specs.ts";
import {
  type FaultEvent,
  type FaultHost,
  FaultSupervisor,
} from "./supervisor.ts";

function dataflow(nodes: NodeSpec[]): Dataflow {
  return {
    path: "/x/dataflow.yml",
    workingDir: "/x",
    nodes,
    healthCheckInterval: 0.1,
    debug: { publishAllMessages: false },
  };
}

/** Records what the supervisor asked for. */
class RecordingHost implements FaultHost {
  calls: string[] = [];
  sent: [string, FaultEvent][] = [];
  logs: string[] = [];
  failed?: string;
  backpressured = false;
  send(node: string, event: FaultEvent) {
    this.sent.push([node, event]);
  }
  kill(node: string) {
    this.calls.push(`kill ${node}`);
  }
  respawn(node: string, count: number) {
    this.calls.push(`respawn ${node} ${count}`);
  }
  stopNode(node: string) {
    this.calls.push(`stop ${node}`);
  }
  closeInput(node: string, input: string) {
    this.calls.push(`close ${node}/${input}`);
  }
  reopenInput(node: string, input: string) {
    this.calls.push(`reopen ${node}/${input}`);
  }
  restartCancelled(node: string) {
    this.calls.push(`cancelled ${node}`);
  }
  failStart(message: string) {
    this.failed = message;
  }
  log(_level: string, _node: string | undefined, message: string) {
    this.logs.push(message);
  }
  isBackpressured() {
    return this.backpressured;
  }
}

function setup(nodes: NodeSpec[], timeouts = {}) {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const sup = new FaultSupervisor(dataflow(nodes), host, { clock, timeouts });
  sup.start();
  for (const n of nodes) sup.nodeConnected(n.id);
  return { clock, host, sup };
}

Deno.test("FaultSupervisor.nodeExited() restarts with backoff, then gives up", () => {
  const { clock, host, sup } = setup([
    node("crashy", {
      restartPolicy: "on-failure",
      maxRestarts: 2,
      restartDelay: 0.1,
    }),
    node("sink", { inputs: [input("data", "crashy")] }),
  ]);
  assert.deepEqual(sup.nodeExited("crashy", { code: 1 }), {
    kind: "restarting",
    delayMs: 100,
    restartCount: 1,
  });
  assert.deepEqual(host.sent, [["sink", {
    t: "node_restarted",
    id: "crashy",
  }]]);
  clock.advance(99);
  assert.deepEqual(host.calls, []);
  clock.advance(1);
  assert.deepEqual(host.calls, ["respawn crashy 1"]);
  sup.nodeConnected("crashy");
  assert.deepEqual(sup.nodeExited("crashy", { code: 1 }).kind, "restarting");
  clock.advance(200);
  assert.deepEqual(host.calls, ["respawn crashy 1", "respawn crashy 2"]);
  sup.nodeConnected("crashy");
  const last = sup.nodeExited("crashy", { code: 1 });
  assert.deepEqual(last, {
    kind: "finished",
    failed: true,
    error: "exited with code 1; max restarts (2) exceeded, giving up",
  });
  assert.deepEqual(host.sent.at(-1), ["sink", {
    t: "node_failed",
    id: "crashy",
    inputs: ["data"],
    error: "exited with code 1; max restarts (2) exceeded, giving up",
  }]);
  assert.match(host.logs.join("\n"), /max restarts \(2\) exceeded, giving up/);
  const stats = sup.summary().nodes.crashy!;
  assert.deepEqual([stats.restarts, stats.status], [2, "failed"]);
  assert.deepEqual(sup.restartCount("crashy"), 2);
});

Deno.test("FaultSupervisor.nodeExited() sends NODE_FAILED for an unrestarted failure", () => {
  const { host, sup } = setup([
    node("src"),
    node("sink", { inputs: [input("a", "src"), input("b", "src")] }),
  ]);
  assert.deepEqual(sup.nodeExited("src", { code: 3 }), {
    kind: "finished",
    failed: true,
    error: "exited with code 3",
  });
  assert.deepEqual(host.sent, [["sink", {
    t: "node_failed",
    id: "src",
    inputs: ["a", "b"],
    error: "exited with code 3",
  }]]);
});

Deno.test("FaultSupervisor.nodeExited() finishes a clean exit quietly", () => {
  const { host, sup } = setup([
    node("src"),
    node("sink", { inputs: [input("a", "src")] }),
  ]);
  assert.deepEqual(sup.nodeExited("src", { code: 0 }), {
    kind: "finished",
    failed: false,
  });
  assert.deepEqual(host.sent, []);
});

Deno.test("FaultSupervisor.stopBegun() cancels a pending restart", () => {
  const { clock, host, sup } = setup([
    node("n", { restartPolicy: "always", restartDelay: 1 }),
  ]);
  sup.nodeExited("n", { code: 0 });
  sup.stopBegun();
  clock.advance(5000);
  assert.deepEqual(host.calls, ["cancelled n"]);
  assert.deepEqual(sup.nodeExited("n", { code: 1 }).kind, "finished");
});

Deno.test("FaultSupervisor.allInputsClosed() disables restarts", () => {
  const { sup } = setup([
    node("src"),
    node("n", { restartPolicy: "always", inputs: [input("a", "src")] }),
  ]);
  sup.allInputsClosed("n");
  assert.deepEqual(sup.nodeExited("n", { code: 0 }), {
    kind: "finished",
    failed: false,
  });
});

Deno.test("FaultSupervisor.sweep() kills a hung node and restarts it", () => {
  const { clock, host, sup } = setup([
    node("hung", { restartPolicy: "on-failure", healthCheckTimeout: 0.5 }),
  ]);
  clock.advance(400);
  sup.nodeActivity("hung");
  clock.advance(400);
  assert.deepEqual(host.calls, []);
  clock.advance(200);
  assert.deepEqual(host.calls, ["kill hung"]);
  const out = sup.nodeExited("hung", { code: null, signal: "SIGKILL" });
  assert.deepEqual(out.kind, "restarting");
  assert.match(host.logs.join("\n"), /killed by the health check/);
  assert.deepEqual(sup.summary().nodes.hung!.healthCheckKills, 1);
  clock.advance(10);
  sup.nodeConnected("hung");
  // A fresh health clock after the restart.
  clock.advance(400);
  assert.deepEqual(host.calls, ["kill hung", "respawn hung 1"]);
});

Deno.test("FaultSupervisor.sweep() closes a timed-out input and recovers it", () => {
  const { clock, host, sup } = setup([
    node("src"),
    node("sink", { inputs: [input("a", "src", { inputTimeout: 0.3 })] }),
  ]);
  clock.advance(1000);
  assert.deepEqual(host.calls, [], "unarmed before the first message");
  assert.deepEqual(sup.inputMessage("sink", "a"), true);
  clock.advance(400);
  assert.deepEqual(host.calls, ["close sink/a"]);
  assert.deepEqual(sup.summary().nodes.sink!.status, "degraded");
  assert.deepEqual(sup.inputMessage("sink", "a"), true);
  assert.deepEqual(host.calls, ["close sink/a", "reopen sink/a"]);
  assert.deepEqual(host.sent, [["sink", { t: "input_recovered", id: "a" }]]);
  const stats = sup.summary().nodes.sink!;
  assert.deepEqual(
    [stats.status, stats.inputTimeouts, stats.recoveries],
    ["running", 1, 1],
  );
});

Deno.test("FaultSupervisor.inputMessage() holds recovery while backpressured", () => {
  const { clock, host, sup } = setup([
    node("src"),
    node("sink", { inputs: [input("a", "src", { inputTimeout: 0.1 })] }),
  ]);
  sup.inputMessage("sink", "a");
  clock.advance(300);
  host.backpressured = true;
  assert.deepEqual(sup.inputMessage("sink", "a"), false);
  assert.deepEqual(sup.summary().nodes.sink!.droppedMessages, 1);
  host.backpressured = false;
  assert.deepEqual(sup.inputMessage("sink", "a"), true);
  assert.deepEqual(sup.summary().nodes.sink!.recoveries, 1);
});

Deno.test("FaultSupervisor.start() fails the start naming a node that never connects", () => {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const sup = new FaultSupervisor(
    dataflow([node("ok"), node("slow")]),
    host,
    { clock, timeouts: { startupTimeoutMs: 1000 } },
  );
  sup.start();
  sup.nodeConnected("ok");
  clock.advance(999);
  assert.deepEqual(host.failed, undefined);
  clock.advance(1);
  assert.match(host.failed!, /node "slow" did not connect .* within 1s/);
});

Deno.test("FaultSupervisor.nodeExited() fails the start for an exit before connecting", () => {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const sup = new FaultSupervisor(
    dataflow([node("a", { restartPolicy: "always" }), node("b")]),
    host,
    { clock },
  );
  sup.start();
  sup.nodeConnected("b");
  const out = sup.nodeExited("a", { code: 4 });
  assert.deepEqual(out.kind, "finished");
  assert.deepEqual(
    host.failed,
    'node "a" exited before connecting to the daemon (exited with code 4)',
  );
});

Deno.test("FaultSupervisor kills a restarted node that never connects", () => {
  const { clock, host, sup } = setup([
    node("n", { restartPolicy: "on-failure" }),
  ], { startupTimeoutMs: 1000 });
  sup.nodeExited("n", { code: 1 });
  clock.advance(0);
  clock.advance(1000);
  assert.deepEqual(host.calls, ["respawn n 1", "kill n"]);
  assert.deepEqual(
    sup.nodeExited("n", { code: null, signal: "SIGKILL" }).kind,
    "restarting",
  );
});

Deno.test("FaultSupervisor stops a straggler after the finish grace", () => {
  const { clock, host, sup } = setup([
    node("src"),
    node("lazy", { inputs: [input("a", "src")] }),
  ], { finishGraceMs: 2000 });
  sup.nodeExited("src", { code: 0 });
  sup.allInputsClosed("lazy");
  clock.advance(1999);
  assert.deepEqual(host.calls, []);
  clock.advance(1);
  assert.deepEqual(host.calls, ["stop lazy"]);
  assert.deepEqual(sup.nodeExited("lazy", { code: null, signal: "SIGTERM" }), {
    kind: "finished",
    failed: false,
  });
  assert.deepEqual(sup.summary().nodes.lazy!.status, "stopped");
});

Deno.test("FaultSupervisor does not treat a source as a straggler", () => {
  const { clock, host, sup } = setup([
    node("src"),
    node("sink", { inputs: [input("a", "src")] }),
  ], { finishGraceMs: 100 });
  sup.allInputsClosed("sink");
  sup.nodeExited("sink", { code: 0 });
  clock.advance(10_000);
  assert.deepEqual(host.calls, []);
});

Deno.test("FaultSupervisor.dispose() leaves no timers behind", () => {
  const { clock, sup } = setup([
    node("n", {
      restartPolicy: "always",
      restartDelay: 5,
      healthCheckTimeout: 1,
    }),
  ]);
  sup.nodeExited("n", { code: 0 });
  sup.dispose();
  assert.deepEqual(clock.pending, 0);
});

Deno.test("FaultSupervisor.nodeExited() ends `always` after max_restarts of clean exits without failing", () => {
  const { clock, host, sup } = setup([
    node("n", { restartPolicy: "always", maxRestarts: 1 }),
    node("sink", { inputs: [input("a", "n")] }),
  ]);
  assert.deepEqual(sup.nodeExited("n", { code: 0 }).kind, "restarting");
  clock.advance(0);
  sup.nodeConnected("n");
  assert.deepEqual(sup.nodeExited("n", { code: 0 }), {
    kind: "finished",
    failed: false,
  });
  assert.match(host.logs.join("\n"), /max restarts \(1\) exceeded, giving up/);
  assert.deepEqual(host.sent, [["sink", { t: "node_restarted", id: "n" }]]);
});

Deno.test("FaultSupervisor uses a node's finish_grace_secs for stragglers", () => {
  const lazy = {
    ...node("lazy", { inputs: [input("a", "src")] }),
    finishGraceSecs: 0.2,
  };
  const { clock, host, sup } = setup([node("src"), lazy], {
    finishGraceMs: 5000,
  });
  sup.nodeExited("src", { code: 0 });
  sup.allInputsClosed("lazy");
  clock.advance(200);
  assert.deepEqual(host.calls, ["stop lazy"]);
});

Deno.test("FaultSupervisor does not wait at start-up for nodes on other machines", () => {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const sup = new FaultSupervisor(
    dataflow([node("here"), node("there")]),
    host,
    { clock, timeouts: { startupTimeoutMs: 1000 }, localNodes: ["here"] },
  );
  sup.start();
  sup.nodeConnected("here");
  clock.advance(5000);
  assert.deepEqual(host.failed, undefined);
  assert.deepEqual(Object.keys(sup.summary().nodes), ["here"]);
});

Deno.test("FaultSupervisor.start() prefers the descriptor's startup_timeout, node over dataflow", () => {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const df = {
    ...dataflow([node("quick"), node("patient", { startupTimeout: 5 })]),
    startupTimeout: 2,
  };
  const sup = new FaultSupervisor(df, host, {
    clock,
    timeouts: { startupTimeoutMs: 1000 },
  });
  sup.start();
  sup.nodeConnected("quick");
  clock.advance(2000);
  assert.deepEqual(host.failed, undefined);
  clock.advance(3000);
  assert.deepEqual(
    host.failed,
    'node "patient" did not connect to the daemon within 5s (start-up timeout; raise the node\'s `startup_timeout` to allow longer)',
  );
});

Deno.test("FaultSupervisor.start() names the dataflow's startup_timeout when it expires", () => {
  const clock = new ManualClock();
  const host = new RecordingHost();
  const df = { ...dataflow([node("slow")]), startupTimeout: 0.5 };
  const sup = new FaultSupervisor(df, host, { clock });
  sup.start();
  clock.advance(500);
  assert.match(
    host.failed!,
    /within 500ms \(start-up timeout; raise `startup_timeout` in the dataflow/,
  );
});
