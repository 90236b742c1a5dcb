/**
 * What the coordinator remembers, and the interface every backend implements.
 *
 * @module
 */

import type { FaultSummary } from "../fault/counters.ts";
import type { NodeParams, ParamValue } from "../descriptor/node_params.ts";

/** The runtime parameters of one dataflow: node id → key → value. */
export type DataflowParams = Record<string, NodeParams>;

/** Lifecycle of a dataflow as the coordinator sees it. */
export type DataflowStatus =
  | "pending"
  | "running"
  | "stopping"
  | "finished"
  | "failed";

/** Whether a status is final. */
export function isTerminal(status: DataflowStatus): boolean {
  return status === "finished" || status === "failed";
}

/** Outcome of one node. */
export interface NodeResult {
  ok: boolean;
  /** Human-readable cause when not ok (exit code, signal, spawn error). */
  error?: string;
  /** Messages dropped per input (full `drop_oldest` queues), when any. */
  drops?: Record<string, number>;
}

/** One dataflow ever started through this coordinator. */
/**
 * Finished and failed dataflows a store keeps at most (the oldest are
 * forgotten first), so a long-running coordinator's state stays bounded.
 */
export const MAX_TERMINAL_RECORDS = 1000;

export interface DataflowRecord {
  uuid: string;
  name?: string;
  status: DataflowStatus;
  /**
   * The resolved dataflow (`src/descriptor` model), JSON with bigints
   * encoded: the current graph, with the changes made while it runs.
   */
  descriptor: string;
  /**
   * The current graph as flat descriptor YAML (what `dora expand` prints),
   * when the starting CLI sent it; edits at run time are validated against it.
   */
  source?: string;
  /** Counts the graph changes made while it runs (0 at start). */
  revision?: number;
  /** Extra environment given with `dora start --env`. */
  env: Record<string, string>;
  /** Node id → daemon id. */
  nodeToDaemon: Record<string, string>;
  /** Error summary when failed. */
  error?: string;
  nodeResults?: Record<string, NodeResult>;
  /**
   * Fault-tolerance counters per node (restarts, health-check kills, input
   * timeouts, recoveries, dropped messages), merged over its daemons; the
   * last report while it runs, the final one once it ended.
   */
  fault?: FaultSummary;
  /** `dora stop` was asked: a daemon that comes back stops it, not re-adopts it. */
  stopRequested?: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A daemon that registered at least once. */
export interface DaemonRecord {
  daemonId: string;
  machineId?: string;
  labels: Record<string, string>;
  lastSeen: number;
}

/** A coordinator store backend (memory or SQLite). */
export interface CoordinatorStore {
  /** Backend description for `dora status`, e.g. `sqlite:/path`. */
  readonly kind: string;
  putDataflow(record: DataflowRecord): void;
  getDataflow(uuid: string): DataflowRecord | undefined;
  listDataflows(): DataflowRecord[];
  /** Forgets a dataflow and its parameters. */
  deleteDataflow(uuid: string): void;
  putDaemon(record: DaemonRecord): void;
  listDaemons(): DaemonRecord[];
  /** Sets one runtime parameter of a node of dataflow `uuid`. */
  putParam(uuid: string, node: string, key: string, value: ParamValue): void;
  /** Deletes one parameter; false when there was none. */
  deleteParam(uuid: string, node: string, key: string): boolean;
  /** Every parameter of dataflow `uuid` (nodes without any are absent). */
  getParams(uuid: string): DataflowParams;
  /** Replaces every parameter of dataflow `uuid`. */
  setParams(uuid: string, params: DataflowParams): void;
  close(): void;
}
