/**
 * What `dora top`, `dora node list` and `dora node info` show about a node,
 * and what a runtime reports for it. The JSON keeps the original dora's
 * `NodeInfo` shape (`top --once | jq '.[].metrics.cpu_usage'` works the same),
 * with the inputs and outputs of `node info` added.
 *
 * @module
 */
import type { NodeFaultStats } from "../fault/counters.ts";

/** A node's state as `top` shows it (lowercase in JSON). */
export type NodeStatus =
  | "running"
  | "restarting"
  | "degraded"
  | "failed"
  | "stopped";

/** Counters of one input, as a runtime keeps them. */
export interface InputCounters {
  id: string;
  /** The source as written, e.g. `camera/image` or `dora/timer/millis/100`. */
  source: string;
  /** Messages waiting in the queue now. */
  queued: number;
  /** Messages that arrived so far. */
  received: number;
  /** Messages dropped so far (queue full, or shed by backpressure). */
  dropped: number;
}

/** Counters of one output. */
export interface OutputCounters {
  id: string;
  /** Messages sent so far. */
  sent: number;
  /** Still open (the node runs and did not close it). */
  open: boolean;
  /** Message taps attached now (`dora topic echo/hz/info`). */
  taps?: number;
}

/** What a runtime knows about one of its local nodes at one moment. */
export interface NodeCounters {
  id: string;
  /** The node's process, while it runs. */
  pid?: number;
  connected: boolean;
  exited: boolean;
  /** How it ended (`finished`, `failed`, `stopped`, `not_started`) or `running`. */
  outcome: string;
  restarts: number;
  /** Waiting to be respawned (restart policy). */
  restarting: boolean;
  /** The fault supervisor's view, when fault tolerance is on. */
  fault?: NodeFaultStats;
  inputs: InputCounters[];
  outputs: OutputCounters[];
}

/** One input in `node info`. */
export interface InputInfo extends InputCounters {
  /** Messages per second over the last sampling interval. */
  rate: number;
}

/** One output in `node info`. */
export interface OutputInfo extends OutputCounters {
  rate: number;
  /** The inputs it feeds, as `node/input`. */
  subscribers: string[];
}

/** One node in `top`, `node list` and `node info` (JSON shape). */
export interface NodeInfo {
  dataflow_id: string;
  dataflow_name: string | null;
  node_id: string;
  daemon_id: string;
  metrics: {
    pid: number | null;
    /** Percent of one core (several busy cores exceed 100). */
    cpu_usage: number | null;
    memory_mb: number | null;
    disk_read_mb_s: number | null;
    disk_write_mb_s: number | null;
    restart_count: number;
    broken_inputs: string[];
    status: NodeStatus;
    /** Messages waiting in the node's input queues. */
    pending_messages: number;
    /** Messages its inputs dropped so far. */
    dropped_messages: number;
  };
  /** Bytes of this node's messages that crossed to / from other daemons. */
  network: { bytes_sent: number; bytes_received: number };
  inputs: InputInfo[];
  outputs: OutputInfo[];
}

/** The status of a node from its counters. */
export function nodeStatus(c: NodeCounters): NodeStatus {
  if (c.restarting || c.fault?.status === "restarting") return "restarting";
  if (c.exited) {
    return c.outcome === "failed" || c.outcome === "not_started"
      ? "failed"
      : "stopped";
  }
  if (
    c.fault?.status === "degraded" || (c.fault?.brokenInputs.length ?? 0) > 0
  ) {
    return "degraded";
  }
  return "running";
}

/** `Running`, `Degraded`, …: a status for a table. */
export function statusLabel(s: NodeStatus): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
