/**
 * The daemon's answers to the coordinator's inspection requests: node
 * metrics (`node_info`, and `metrics` for `dora list`) from the samples
 * taken every {@linkcode METRICS_INTERVAL_MS}, the spans of its work
 * (`traces`), and the message tap (`tap_start`, `tap_stop`, `tap_publish`).
 *
 * @module
 */
import type { DataflowMetrics } from "../control/coordinator_daemon.ts";
import {
  dataflowTopics,
  linkSink,
  type NodeInfo,
  type SampledDataflow,
  type Topic,
} from "../inspect/mod.ts";
import { tapOptions, type TopicSubscribeParams } from "../control/inspect.ts";
import type { DataLayout } from "../message/mod.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { AgentState, Entry } from "./_state.ts";

/** A sample older than this is refreshed before it is served. */
const FRESH_MS = 1000;

const topicsOf = new WeakMap<Dataflow, Topic[]>();

function sampled(s: AgentState, e: Entry): SampledDataflow {
  const descriptor = e.hosted.descriptor;
  let topics = topicsOf.get(descriptor);
  if (!topics) topicsOf.set(descriptor, topics = dataflowTopics(descriptor));
  return {
    uuid: e.params.uuid,
    name: e.params.name,
    daemonId: s.daemonId,
    topics,
    nodes: () => e.hosted.nodeCounters(),
    network: () => e.hosted.network(),
  };
}

/** Samples every running dataflow of the daemon. */
export function sampleAll(s: AgentState): void {
  const running = [...s.dataflows.values()].filter((e) => !e.results);
  s.metrics.sample(running.map((e) => sampled(s, e)));
}

/** Samples again when the newest sample of one of `uuids` is stale. */
function refresh(s: AgentState, uuids: string[]): void {
  const stale = uuids.some((u) => {
    const e = s.dataflows.get(u);
    return e !== undefined && !e.results && s.metrics.age(u) > FRESH_MS;
  });
  if (stale) sampleAll(s);
}

/** `node_info`: the local nodes of each running dataflow asked for. */
export function nodeInfo(
  s: AgentState,
  uuids: string[],
): Record<string, NodeInfo[]> {
  refresh(s, uuids);
  const out: Record<string, NodeInfo[]> = {};
  for (const uuid of uuids) {
    const e = s.dataflows.get(uuid);
    // Counters now, resources and rates from the latest sample.
    if (e && !e.results) out[uuid] = s.metrics.live(sampled(s, e));
  }
  return out;
}

/** `metrics`: CPU, memory, pids and fault counters per running dataflow. */
export function dataflowMetrics(
  s: AgentState,
  uuids: string[],
): Record<string, DataflowMetrics> {
  refresh(s, uuids);
  const out: Record<string, DataflowMetrics> = {};
  for (const uuid of uuids) {
    const e = s.dataflows.get(uuid);
    if (!e || e.results) continue;
    const fault = e.hosted.faultSummary();
    out[uuid] = {
      ...s.metrics.totals(uuid),
      ...(fault ? { fault } : {}),
    };
  }
  return out;
}

/** `tap_start`: taps outputs of a local dataflow for a coordinator subscription. */
export function tapStart(s: AgentState, p: Record<string, unknown>): void {
  const uuid = String(p.uuid);
  const e = s.dataflows.get(uuid);
  if (!e || e.results) {
    throw new Error(
      `dataflow ${uuid} is not running on daemon "${s.daemonId}"`,
    );
  }
  const peer = s.peer;
  if (!peer) throw new Error("no coordinator link");
  s.hub.subscribe(
    String(p.subscription),
    e.hosted.tap,
    p.topics as { node: string; output: string }[],
    { ...tapOptions(p as Partial<TopicSubscribeParams>), group: uuid },
    linkSink(peer, "tap_data"),
  );
}

/** `tap_publish`: a message on a local node's output, as if it sent it. */
export function tapPublish(s: AgentState, p: Record<string, unknown>): void {
  const uuid = String(p.uuid);
  const e = s.dataflows.get(uuid);
  if (!e || e.results) {
    throw new Error(
      `dataflow ${uuid} is not running on daemon "${s.daemonId}"`,
    );
  }
  e.hosted.tap.injectOutput(String(p.node), String(p.output), {
    layout: p.d as DataLayout | undefined,
    payload: typeof p.b === "string" ? Uint8Array.fromBase64(p.b) : null,
  });
}
