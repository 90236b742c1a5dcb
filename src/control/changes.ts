/**
 * The methods that change a running dataflow, as a CLI calls them on a
 * coordinator or on the local endpoint of a `dora run` (both serve the same
 * methods, see `docs/dynamic.md`), and as a coordinator passes them on to a
 * daemon: runtime parameters (`param_*`), `node_restart` / `node_stop`, and
 * graph changes (`graph_get`, `graph_apply`; to daemons `graph_check` then
 * `graph_apply`).
 *
 * Parameter values travel as JSON text (`json`), so no value is ever read as
 * one of the control plane's own encodings.
 *
 * @module
 */

/** Why a change was refused (a control-link error's `code`). */
export type ChangeErrorCode =
  | "unknown_node"
  | "not_local"
  | "not_running"
  | "dynamic_node"
  | "bad_param"
  | "no_param"
  | "dataflow_ended"
  | "conflict"
  | "placement"
  | "build_failed"
  | "daemon_failed";

/** A refused change: nothing changed. The `code` crosses control links. */
export class ChangeError extends Error {
  /** Why, for callers that branch on it. */
  readonly code: ChangeErrorCode;

  /** Creates the error; the message names the node, key or dataflow. */
  constructor(code: ChangeErrorCode, message: string) {
    super(message);
    this.name = "ChangeError";
    this.code = code;
  }
}

/** Which node of which dataflow (`ref`: uuid, name or unique prefix). */
export interface NodeTarget {
  ref: string;
  node: string;
}

/** `param_list {ref, node}`. */
export interface ParamListResult {
  uuid: string;
  name?: string;
  node: string;
  /** Key → value as JSON text, keys sorted. */
  params: { key: string; json: string }[];
}

/** `param_get {ref, node, key}`; a missing key is a `no_param` error. */
export interface ParamGetResult {
  uuid: string;
  name?: string;
  node: string;
  key: string;
  json: string;
}

/** `param_set {ref, node, key, json}` parameters. */
export interface ParamSetParams extends NodeTarget {
  key: string;
  /** The value as JSON text. */
  json: string;
}

/** `param_delete {ref, node, key}` parameters. */
export interface ParamDeleteParams extends NodeTarget {
  key: string;
}

/** The answer to `param_set` / `param_delete`. */
export interface ParamChangeResult {
  uuid: string;
  name?: string;
  node: string;
  key: string;
  /** The running node was told now (else it gets the value when it connects). */
  delivered: boolean;
  /** Why it was not delivered, when that is worth saying. */
  note?: string;
}

/** `node_restart` / `node_stop` parameters. */
export interface NodeControlParams extends NodeTarget {
  /** The node's grace period before SIGTERM (default: the dataflow's). */
  graceMs?: number;
}

/** The answer to `node_restart` / `node_stop`. */
export interface NodeControlResult {
  uuid: string;
  name?: string;
  node: string;
}

/** Coordinator → daemon: `param_set {uuid, node, key, json}`. */
export interface DaemonParamSet {
  uuid: string;
  node: string;
  key: string;
  json: string;
}

/** Coordinator → daemon: `param_delete {uuid, node, key}`. */
export interface DaemonParamDelete {
  uuid: string;
  node: string;
  key: string;
}

/**
 * Coordinator → daemon: `params_sync {uuid, params}`: the values the
 * coordinator stores for the daemon's nodes (after a reconnect), as JSON
 * text per node.
 */
export interface DaemonParamsSync {
  uuid: string;
  /** Node id → the JSON text of its whole key → value object. */
  params: Record<string, string>;
}

/** Coordinator → daemon: `node_restart` / `node_stop {uuid, node, graceMs}`. */
export interface DaemonNodeControl {
  uuid: string;
  node: string;
  graceMs?: number;
}

/**
 * `graph_get {ref}`: the current graph of a dataflow (the one it started
 * with, changes included).
 */
export interface GraphResult {
  uuid: string;
  name?: string;
  /** Counts the changes made while it runs (0: as started). */
  revision: number;
  /** Absolute path of the descriptor it was started from. */
  path: string;
  /** The flat descriptor YAML, when the starting CLI sent it. */
  source?: string;
  /** The resolved dataflow (`src/descriptor` model). */
  descriptor: unknown;
}

/**
 * `graph_apply {ref, revision, descriptor, source, graceMs}`: make the
 * running graph the edited one. The client resolved and checked it (like
 * `dora validate`) against revision `revision` of the current graph; a
 * graph that changed meanwhile is a `conflict` error (nothing changed).
 */
export interface GraphApplyParams {
  ref: string;
  /** The revision the edit was made against. */
  revision: number;
  /** The edited dataflow, resolved (`src/descriptor` model). */
  descriptor: unknown;
  /** The edited dataflow as flat YAML. */
  source: string;
  /** Grace period of the stop ladders the change runs. */
  graceMs?: number;
  /** What the change is, for the coordinator's log (`node add filter`). */
  what?: string;
}

/** What a graph change did (the union over the daemons). */
export interface GraphApplyResult {
  uuid: string;
  name?: string;
  /** The graph's revision after the change. */
  revision: number;
  added: string[];
  removed: string[];
  replaced: string[];
  /** Inputs (`node/input`) that now read a source. */
  connected: string[];
  /** Inputs (`node/input`) that no longer read one. */
  disconnected: string[];
  /** Node id → daemon id of the nodes that joined. */
  placed: Record<string, string>;
}

/**
 * Coordinator → daemon: `graph_check` (can the change be made here?) and
 * then `graph_apply` (make it).
 */
export interface DaemonGraphChange {
  uuid: string;
  descriptor: unknown;
  nodeToDaemon: Record<string, string>;
  /** Runtime parameters of the nodes that join (JSON text per node). */
  params: Record<string, string>;
  graceMs?: number;
  /** The edited graph's flat YAML (kept for a coordinator that re-adopts it). */
  source?: string;
}
