import assert from "node:assert/strict";
import type { NodeCounters } from "./node_info.ts";
import { NodeMetrics, type SampledDataflow } from "./node_metrics.ts";

function counters(received: number, sent: number, taps = 0): NodeCounters[] {
  return [{
    id: "camera",
    // This process: its /proc files exist.
    pid: Deno.pid,
    connected: true,
    exited: false,
    outcome: "running",
    restarts: 0,
    restarting: false,
    inputs: [{
      id: "tick",
      source: "dora/timer/millis/10",
      queued: 2,
      received,
      dropped: 1,
    }],
    outputs: [{ id: "image", sent, open: true, taps }],
  }];
}

Deno.test("NodeMetrics turns two samples into rates and keeps counters live", () => {
  let now = 0;
  const metrics = new NodeMetrics(() => now);
  let current = counters(100, 50);
  const df: SampledDataflow = {
    uuid: "u",
    name: "robot",
    daemonId: "A",
    topics: [{
      topic: "camera/image",
      node: "camera",
      output: "image",
      subscribers: ["det/image"],
    }],
    nodes: () => current,
    network: () => new Map([["camera", { sent: 10, received: 0 }]]),
  };
  metrics.sample([df]);
  now = 2000;
  current = counters(300, 90);
  metrics.sample([df]);
  const [n] = metrics.latest("u")!;
  assert.equal(n!.inputs[0]!.rate, 100);
  assert.equal(n!.outputs[0]!.rate, 20);
  assert.deepEqual(n!.outputs[0]!.subscribers, ["det/image"]);
  assert.equal(n!.metrics.pending_messages, 2);
  assert.equal(n!.metrics.dropped_messages, 1);
  assert.equal(n!.metrics.status, "running");
  assert.equal(n!.metrics.pid, Deno.pid);
  assert.ok((n!.metrics.memory_mb ?? 0) > 0);
  assert.deepEqual(n!.network, { bytes_sent: 10, bytes_received: 0 });
  // A tap attached after the sample shows at once; rates stay the sample's.
  current = counters(310, 91, 1);
  const [live] = metrics.live(df);
  assert.equal(live!.outputs[0]!.taps, 1);
  assert.equal(live!.outputs[0]!.sent, 91);
  assert.equal(live!.outputs[0]!.rate, 20);
  assert.equal(metrics.totals("u").pids[0], Deno.pid);
  metrics.sample([]);
  assert.equal(metrics.latest("u"), undefined);
});
