/**
 * The inspection methods a CLI calls on a coordinator, or on the local
 * endpoint of a `dora run` (both serve the same methods, see
 * `docs/inspect.md`): node metrics, topics, traces, the topic tap.
 *
 * @module
 */
import type {
  NodeInfo,
  TapMode,
  TopicInfo,
  TraceSpan,
} from "../inspect/mod.ts";
import type { DataLayout } from "../message/mod.ts";

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

/** `topic_subscribe`: tap topics of a running dataflow. */
export interface TopicSubscribeParams {
  ref: string;
  /** `node/output` names; empty: every output. */
  topics: string[];
  /** `full` (values, for echo) or `timing` (timestamps and sizes, for hz). */
  mode: TapMode;
  /** Payload bytes copied per message (`full`; default 4096). */
  maxBytes?: number;
  /** Copies kept per topic before the oldest is dropped (default 1024). */
  queueSize?: number;
}

/** `topic_subscribe`'s answer; batches follow as `topic_data` events ({@linkcode TapBatch}). */
export interface TopicSubscribeResult {
  subscription: string;
  uuid: string;
  name: string | null;
  topics: string[];
}

/** `topic_end` event: the subscription ended with its dataflow. */
export interface TopicEndEvent {
  subscription: string;
  uuid: string;
  /** `finished`, `failed`, or why it ended otherwise. */
  reason: string;
}

/** `topic_publish`: one message on a topic, as if its node had sent it. */
export interface TopicPublishParams {
  ref: string;
  topic: string;
  /** Data layout of the message. */
  d?: DataLayout;
  /** Its payload, base64. */
  b?: string;
}

/** Copies a subscriber keeps per topic unless it asks otherwise. */
export const DEFAULT_TAP_QUEUE = 1024;
/** Payload bytes copied per message unless asked otherwise (`--max-bytes`). */
export const DEFAULT_MAX_BYTES = 4096;

/** The subscription options of a `topic_subscribe`, checked. */
export function tapOptions(
  p: Partial<TopicSubscribeParams>,
): { mode: TapMode; maxBytes: number; queueSize: number } {
  const mode = p.mode === "timing" ? "timing" : "full";
  const maxBytes = Number(p.maxBytes ?? DEFAULT_MAX_BYTES);
  const queueSize = Number(p.queueSize ?? DEFAULT_TAP_QUEUE);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(
      `maxBytes must be a whole number >= 0, got ${p.maxBytes}`,
    );
  }
  if (
    !Number.isSafeInteger(queueSize) || queueSize < 1 || queueSize > 1 << 20
  ) {
    throw new RangeError(
      `queueSize must be a whole number from 1 to ${
        1 << 20
      }, got ${p.queueSize}`,
    );
  }
  return { mode, maxBytes, queueSize };
}
