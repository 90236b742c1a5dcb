/**
 * `dora record`'s rewrite of a dataflow: the expanded dataflow plus one
 * recorder node whose inputs are the recorded outputs (drop_oldest queues,
 * so the recorder never holds a sender back).
 *
 * @module
 */
import { stringify } from "yaml";
import type { Dataflow } from "../descriptor/mod.ts";
import type { Compression } from "./mcap/compression.ts";
import { RECORDER_NODE_ID } from "./format.ts";

/** A `--topics` entry that names no output of the dataflow. */
export class UnknownTopicError extends Error {
  constructor(readonly topics: string[], readonly known: string[]) {
    super(
      `${topics.length === 1 ? "topic" : "topics"} ${
        topics.map((t) => `"${t}"`).join(", ")
      } not in the dataflow; its topics are: ${known.join(", ")}`,
    );
    this.name = "UnknownTopicError";
  }
}

/** The dataflow already has a node with the recorder's id. */
export class RecorderIdTakenError extends Error {
  constructor(readonly id: string) {
    super(`the dataflow already has a node "${id}" (the id dora record uses)`);
    this.name = "RecorderIdTakenError";
  }
}

/** Every output a node of `dataflow` can send, as `node/output`. */
export function dataflowTopics(dataflow: Dataflow): string[] {
  return dataflow.nodes
    .filter((n) => n.kind !== "runtime")
    .flatMap((n) => n.outputs.map((o) => `${n.id}/${o}`));
}

/**
 * The topics to record: all of them, or the `--topics` list (each checked).
 *
 * @throws {UnknownTopicError} naming the unknown ones and listing the known.
 */
export function selectTopics(dataflow: Dataflow, wanted?: string[]): string[] {
  const known = dataflowTopics(dataflow);
  if (!wanted || wanted.length === 0) return known;
  const unknown = wanted.filter((t) => !known.includes(t));
  if (unknown.length) throw new UnknownTopicError(unknown, known);
  return [...new Set(wanted)];
}

/** What the recorder node needs besides its inputs. */
export interface RecordSettings {
  /** Absolute path of the MCAP file. */
  output: string;
  compression: Compression;
  /** Queue size of each recorder input (drop_oldest). */
  queueSize: number;
  /** The recorder's own buffer in bytes. */
  bufferBytes: number;
  /** The repository (install) root: where `nodes/record/` is. */
  root: string;
}

/** The `dora.dataflow` metadata of a recording, without what the node adds. */
export interface RecordedDataflow {
  /** The expanded dataflow YAML (without the recorder). */
  descriptor: string;
  /** The dataflow file's absolute path. */
  source: string;
  /** The folder relative node paths resolve against. */
  workingDir: string;
}

/** The rewritten dataflow: its YAML text and what it records. */
export interface RecordPlan {
  yaml: string;
  topics: string[];
  recorderId: string;
  recorded: RecordedDataflow;
}

/**
 * Builds the recording dataflow from the expanded one (`top` = its top-level
 * keys, `nodes` = its flat nodes as written).
 *
 * @throws {RecorderIdTakenError} when a node already uses the recorder's id.
 */
export function planRecording(
  dataflow: Dataflow,
  top: Record<string, unknown>,
  nodes: Record<string, unknown>[],
  topics: string[],
  settings: RecordSettings,
): RecordPlan {
  if (dataflow.nodes.some((n) => n.id === RECORDER_NODE_ID)) {
    throw new RecorderIdTakenError(RECORDER_NODE_ID);
  }
  const expanded = { ...top, nodes };
  const descriptor = stringify(expanded, { lineWidth: 0 });
  const types: Record<string, string> = {};
  for (const n of dataflow.nodes) {
    for (const [o, urn] of Object.entries(n.outputTypes ?? {})) {
      if (topics.includes(`${n.id}/${o}`)) types[`${n.id}/${o}`] = urn;
    }
  }
  const recorded: RecordedDataflow = {
    descriptor,
    source: dataflow.path,
    workingDir: dataflow.workingDir,
  };
  const recorder = {
    id: RECORDER_NODE_ID,
    description: "records the dataflow's outputs (added by dora record)",
    path: `${settings.root}/nodes/record/recorder.ts`,
    inputs: Object.fromEntries(topics.map((t) => [t, {
      source: t,
      queue_size: settings.queueSize,
      queue_policy: "drop_oldest",
    }])),
    env: {
      DORA_RECORD_FILE: settings.output,
      DORA_RECORD_COMPRESSION: settings.compression,
      DORA_RECORD_BUFFER_BYTES: String(settings.bufferBytes),
      DORA_RECORD_TYPES: JSON.stringify(types),
      DORA_RECORD_DATAFLOW: JSON.stringify({
        descriptor,
        source: recorded.source,
        working_dir: recorded.workingDir,
        topics: JSON.stringify(topics),
      }),
    },
    permissions: { write: [settings.output], read: [settings.output] },
  };
  return {
    yaml: stringify({ ...top, nodes: [...nodes, recorder] }, { lineWidth: 0 }),
    topics,
    recorderId: RECORDER_NODE_ID,
    recorded,
  };
}
