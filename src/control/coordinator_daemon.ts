/**
 * Messages between the coordinator and daemons (over the daemon's control
 * link, `/api/daemon`). See `docs/coordinator.md` for the full table.
 *
 * @module
 */
import type { FaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";
import type { SpanContext } from "../inspect/trace.ts";

/** Where a daemon accepts daemon-to-daemon data connections. */
export interface DataAddress {
  host: string;
  port: number;
  /** The daemon's data transport (absent: `tcp`); see src/transport. */
  transport?: string;
}

/** A dataflow a (re)connecting daemon is running or has finished. */
export interface AdoptReport {
  uuid: string;
  name?: string;
  /** The resolved dataflow, as sent in `spawn`. */
  descriptor: unknown;
  env: Record<string, string>;
  nodeToDaemon: Record<string, string>;
  /** `running`, or `finished` with results when it ended while disconnected. */
  state: "running" | "finished";
  results?: Record<string, NodeResult>;
  /** Fault counters of its local nodes (final when `finished`). */
  fault?: FaultSummary;
  /** Its local nodes all connected (the local half of the ready barrier). */
  ready?: boolean;
  /** It received `release` (the barrier is latched on this daemon). */
  released?: boolean;
  /** When this daemon spawned it (ms since the epoch). */
  startedAt?: number;
  /** The flat descriptor YAML it was started with, when known. */
  source?: string;
  /** Current runtime parameters of its local nodes (node id → JSON text). */
  params?: Record<string, string>;
}

/** `hello` parameters a daemon sends (besides `version` and `role`). */
export interface DaemonHello {
  machineId?: string;
  labels: Record<string, string>;
  dataAddr: DataAddress;
  dataflows: AdoptReport[];
}

/** Coordinator's answer to a daemon's `hello`. */
export interface DaemonWelcome {
  version: string;
  daemonId: string;
  heartbeatMs: number;
}

/** `spawn` request: run the nodes of `uuid` that are placed on this daemon. */
export interface SpawnParams {
  uuid: string;
  name?: string;
  descriptor: unknown;
  env: Record<string, string>;
  nodeToDaemon: Record<string, string>;
  /** Data addresses of every daemon involved (by daemon id). */
  peers: Record<string, DataAddress>;
  /**
   * The dataflow's data-link secret: links between its daemons present it
   * (first frame), others are refused. Never given to nodes.
   */
  dataSecret: string;
  /**
   * The runtime parameters to start with, node id → the JSON text of its
   * key → value object (absent: each node's `params:`).
   */
  params?: Record<string, string>;
  /** The flat descriptor YAML, kept for re-adoption. */
  source?: string;
  /** The coordinator's span of this spawn (the daemon's spans join its trace). */
  trace?: SpanContext;
}

/** `stop` request. */
export interface StopParams {
  uuid: string;
  graceMs?: number;
  force?: boolean;
  /** The coordinator's `stop_dataflow` span. */
  trace?: SpanContext;
}

/** Per-dataflow resource usage reported by `metrics`. */
export interface DataflowMetrics {
  /** Percent of one core, summed over node processes. */
  cpu: number;
  memoryBytes: number;
  pids: number[];
  /** Fault counters of the local nodes, when fault tolerance is on. */
  fault?: FaultSummary;
}

/** `heartbeat` event payload from a daemon. */
export interface DaemonHeartbeat {
  /** Fault counters of the dataflows it runs, by uuid. */
  fault?: Record<string, FaultSummary>;
}

/** One log line as read from `log_<node>.jsonl`. */
export type LogLine = Record<string, unknown>;
