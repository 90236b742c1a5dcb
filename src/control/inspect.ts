/**
 * The inspection methods a CLI calls on a coordinator, or on the local
 * endpoint of a `dora run` (both serve the same methods, see
 * `docs/inspect.md`): node metrics, topics, traces.
 *
 * @module
 */
import type { NodeInfo, TopicInfo, TraceSpan } from "../inspect/mod.ts";

/** `node_info {ref?}`: the nodes of one dataflow, or of every running one. */
export interface NodeInfoResult {
  nodes: NodeInfo[];
  /** Daemons that did not answer (their nodes are missing). */
  unreachable: string[];
}

/** `topic_list {ref}`. */
export interface TopicListResult {
  uuid: string;
  name: string | null;
  /** Whether debug inspection (the message tap) is enabled. */
  debug: boolean;
  topics: TopicInfo[];
}

/** `traces`: every finished span the endpoint and its daemons keep. */
export interface TracesResult {
  spans: TraceSpan[];
}

/** `running`: the dataflows that have not ended. */
export interface RunningResult {
  dataflows: { uuid: string; name?: string }[];
}
