/**
 * Per-node metrics of the dataflows one process runs (a daemon, or `dora
 * run`): every sample reads `/proc` for each node's process tree and the
 * runtime's counters, and turns the differences since the previous sample
 * into rates. `top`, `node list`, `node info` and the CPU / memory columns of
 * `dora list` all come from these samples.
 *
 * @module
 */
import { type NodeCounters, type NodeInfo, nodeStatus } from "./node_info.ts";
import { ProcSampler, type ProcUsage } from "./proc_sampler.ts";
import type { Topic } from "./topics.ts";

/** How often a daemon samples its nodes (as the original's `METRICS_INTERVAL`). */
export const METRICS_INTERVAL_MS = 2000;

/** A dataflow whose nodes are sampled. */
export interface SampledDataflow {
  uuid: string;
  name?: string;
  /** The daemon running these nodes (`local` under `dora run`). */
  daemonId: string;
  /** Its topics (for the subscribers of each output). */
  topics: Topic[];
  /** The runtime's counters of the local nodes, now. */
  nodes(): NodeCounters[];
  /** Bytes each node's messages sent to / received from other daemons. */
  network?(): Map<string, { sent: number; received: number }>;
}

interface Sample {
  at: number;
  counters: Map<string, NodeCounters>;
  /** Resources per node id (from `/proc`). */
  usage: Map<string, ProcUsage>;
  /** Messages per second per node id, then per input / output id. */
  rates: Map<
    string,
    { inputs: Map<string, number>; outputs: Map<string, number> }
  >;
  nodes: NodeInfo[];
}

const MB = 1024 * 1024;

/**
 * Samples dataflows and keeps the latest sample of each.
 *
 * @example
 * ```ts
 * const metrics = new NodeMetrics();
 * metrics.sample([dataflow]);              // every METRICS_INTERVAL_MS
 * metrics.latest(dataflow.uuid);           // NodeInfo[] of its local nodes
 * ```
 */
export class NodeMetrics {
  #proc: ProcSampler;
  #samples = new Map<string, Sample>();
  #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#proc = new ProcSampler(now);
  }

  /** Takes one sample of every dataflow; forgets dataflows not passed. */
  sample(dataflows: SampledDataflow[]): void {
    const now = this.#now();
    const roots = new Map<string, number>();
    const counters = new Map<string, NodeCounters[]>();
    for (const df of dataflows) {
      const nodes = df.nodes();
      counters.set(df.uuid, nodes);
      for (const n of nodes) {
        if (n.pid !== undefined && !n.exited) {
          roots.set(`${df.uuid}/${n.id}`, n.pid);
        }
      }
    }
    const usageAll = this.#proc.sample(roots);
    const seen = new Set<string>();
    for (const df of dataflows) {
      seen.add(df.uuid);
      const prev = this.#samples.get(df.uuid);
      const seconds = prev ? (now - prev.at) / 1000 : 0;
      const rate = (now: number, then: number | undefined) =>
        seconds > 0 && then !== undefined
          ? round(Math.max(0, (now - then) / seconds), 1)
          : 0;
      const current = new Map<string, NodeCounters>();
      const usage = new Map<string, ProcUsage>();
      const rates: Sample["rates"] = new Map();
      const list = counters.get(df.uuid)!;
      for (const c of list) {
        current.set(c.id, c);
        const u = usageAll.get(`${df.uuid}/${c.id}`);
        if (u) usage.set(c.id, u);
        const before = prev?.counters.get(c.id);
        rates.set(c.id, {
          inputs: new Map(c.inputs.map((i) => [
            i.id,
            rate(
              i.received,
              before?.inputs.find((x) => x.id === i.id)?.received,
            ),
          ])),
          outputs: new Map(c.outputs.map((o) => [
            o.id,
            rate(o.sent, before?.outputs.find((x) => x.id === o.id)?.sent),
          ])),
        });
      }
      const sample: Sample = {
        at: now,
        counters: current,
        usage,
        rates,
        nodes: [],
      };
      sample.nodes = build(df, list, sample);
      this.#samples.set(df.uuid, sample);
    }
    for (const uuid of this.#samples.keys()) {
      if (!seen.has(uuid)) this.#samples.delete(uuid);
    }
  }

  /**
   * The nodes of `df` now: counters read at once (status, queues, taps,
   * restarts), resources and rates from the latest sample.
   */
  live(df: SampledDataflow): NodeInfo[] {
    const sample = this.#samples.get(df.uuid);
    if (!sample) {
      this.sample([df]);
      return this.latest(df.uuid) ?? [];
    }
    return build(df, df.nodes(), sample);
  }

  /** The latest sample of a dataflow's nodes, if any. */
  latest(uuid: string): NodeInfo[] | undefined {
    return this.#samples.get(uuid)?.nodes;
  }

  /** How old the latest sample of `uuid` is (ms), Infinity without one. */
  age(uuid: string): number {
    const s = this.#samples.get(uuid);
    return s ? this.#now() - s.at : Infinity;
  }

  /** CPU (percent of one core) and resident memory summed over a dataflow's nodes. */
  totals(uuid: string): { cpu: number; memoryBytes: number; pids: number[] } {
    let cpu = 0;
    let memoryBytes = 0;
    const pids: number[] = [];
    for (const n of this.latest(uuid) ?? []) {
      cpu += n.metrics.cpu_usage ?? 0;
      memoryBytes += (n.metrics.memory_mb ?? 0) * MB;
      if (n.metrics.pid !== null) pids.push(n.metrics.pid);
    }
    return { cpu: round(cpu, 1), memoryBytes: Math.round(memoryBytes), pids };
  }
}

/** The node infos of `df` from `counters` and a sample's resources and rates. */
function build(
  df: SampledDataflow,
  counters: NodeCounters[],
  sample: Sample,
): NodeInfo[] {
  const net = df.network?.() ?? new Map();
  const subscribers = new Map(df.topics.map((t) => [t.topic, t.subscribers]));
  return counters.map((c) => {
    const u = sample.usage.get(c.id);
    const n = net.get(c.id);
    const r = sample.rates.get(c.id);
    return {
      dataflow_id: df.uuid,
      dataflow_name: df.name ?? null,
      node_id: c.id,
      daemon_id: df.daemonId,
      metrics: {
        pid: c.exited ? null : c.pid ?? null,
        cpu_usage: u ? round(u.cpu, 1) : null,
        memory_mb: u ? round(u.memoryBytes / MB, 1) : null,
        disk_read_mb_s: u?.diskReadBytesPerSec !== undefined
          ? round(u.diskReadBytesPerSec / MB, 3)
          : null,
        disk_write_mb_s: u?.diskWriteBytesPerSec !== undefined
          ? round(u.diskWriteBytesPerSec / MB, 3)
          : null,
        restart_count: c.restarts,
        broken_inputs: c.fault?.brokenInputs ?? [],
        status: nodeStatus(c),
        pending_messages: c.inputs.reduce((s, i) => s + i.queued, 0),
        dropped_messages: c.inputs.reduce((s, i) => s + i.dropped, 0),
      },
      network: {
        bytes_sent: n?.sent ?? 0,
        bytes_received: n?.received ?? 0,
      },
      inputs: c.inputs.map((i) => ({ ...i, rate: r?.inputs.get(i.id) ?? 0 })),
      outputs: c.outputs.map((o) => ({
        ...o,
        rate: r?.outputs.get(o.id) ?? 0,
        subscribers: subscribers.get(`${c.id}/${o.id}`) ?? [],
      })),
    };
  });
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
