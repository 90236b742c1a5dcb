/**
 * The names a dora recording uses inside MCAP: encodings, metadata records
 * and their keys. docs/record-replay.md describes the format.
 *
 * @module
 */

/** Schema and message encoding of every channel (foxglove/mcap#1748). */
export const ARROW_ENCODING = "arrow";
/** dora 1.x's proposal for the same thing; read, never written. */
export const ARROW_IPC_ENCODING = "arrow-ipc";

/**
 * Metadata record written first: `descriptor` (the expanded dataflow YAML),
 * `source` (the dataflow file's absolute path), `working_dir`,
 * `dataflow_id`, `dora_version`, `started_at` (ISO time), `topics` (JSON
 * list of recorded topics), `compression`.
 */
export const META_DATAFLOW = "dora.dataflow";
/**
 * Metadata record written last: one key per topic, the value the JSON of
 * {@linkcode TopicStats} (what the recorder wrote and dropped).
 */
export const META_TOPICS = "dora.topics";
/**
 * Metadata record appended by `dora record` when the recorder's input queues
 * dropped messages before the recorder saw them: topic → count.
 */
export const META_QUEUE_DROPS = "dora.queue_drops";

/** Channel metadata keys. */
export const CHANNEL_NODE = "dora.node";
export const CHANNEL_OUTPUT = "dora.output";
export const CHANNEL_TYPE = "dora.type";

/** Per-topic counts of a recording. */
export interface TopicStats {
  /** Messages written. */
  messages: number;
  /** Bytes of their record batches. */
  bytes: number;
  /** Messages the recorder could not write (its queue was full). */
  dropped: number;
}

/** The node id the recorder runs as. */
export const RECORDER_NODE_ID = "__dora_record__";
