/**
 * `dora replay`'s rewrite of a dataflow: each replaced node becomes a replay
 * node with the same id and outputs that publishes the recorded messages;
 * the inputs it feeds use backpressure (a slow receiver slows the replay
 * down instead of losing messages); with `--check`, a recorder node records
 * what the other recorded nodes publish, to compare with the recording.
 *
 * @module
 */
import { stringify } from "yaml";
import type { Dataflow } from "../descriptor/mod.ts";
import { RECORDER_NODE_ID } from "./format.ts";

/** A node the recording or `--replace` names is not in the dataflow. */
export class MissingNodeError extends Error {
  constructor(readonly nodes: string[], readonly why: string) {
    super(
      `${nodes.length === 1 ? "node" : "nodes"} ${
        nodes.map((n) => `"${n}"`).join(", ")
      } ${why}`,
    );
    this.name = "MissingNodeError";
  }
}

/** What to replace and how: the choice is invalid. */
export class ReplayPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayPlanError";
  }
}

/** The node id of the `--check` recorder. */
export const CHECK_RECORDER_ID = RECORDER_NODE_ID;

/** Options of {@linkcode planReplay}. */
export interface ReplaySettings {
  /** Absolute path of the recording. */
  file: string;
  /** Topics with messages in the recording. */
  recordedTopics: string[];
  /** `--replace` (default: every recorded source node). */
  replace?: string[];
  /** 0 = as fast as possible. */
  speed: number;
  loop: boolean;
  /** Log time (ns) replay time 0 stands for: the recording's first message. */
  startTime: bigint;
  /** With `--check`: where the check recorder writes. */
  checkOutput?: string;
  root: string;
}

/** The rewritten dataflow. */
export interface ReplayPlan {
  yaml: string;
  replaced: string[];
  /** Topics the replay nodes publish. */
  replayedTopics: string[];
  /** Recorded topics of the nodes that run for real (what `--check` compares). */
  checkedTopics: string[];
  /** Outputs of replaced nodes that were not recorded (nothing is sent on them). */
  silentOutputs: string[];
  checkRecorderId?: string;
}

function nodeOf(topic: string): string {
  return topic.slice(0, topic.indexOf("/"));
}

/**
 * The recorded nodes none of whose inputs comes from another node: the
 * sensors and sources a replay stands in for.
 */
export function recordedSources(
  dataflow: Dataflow,
  recordedTopics: string[],
): string[] {
  const recorded = new Set(recordedTopics.map(nodeOf));
  return dataflow.nodes
    .filter((n) =>
      recorded.has(n.id) && n.inputs.every((i) => i.source.kind !== "node")
    )
    .map((n) => n.id);
}

/**
 * Builds the replay dataflow from the dataflow to run (`top` = its top-level
 * keys, `nodes` = its flat nodes as written).
 *
 * @throws {MissingNodeError} for a recorded or replaced node the dataflow
 * lacks. @throws {ReplayPlanError} when there is nothing to replace.
 */
export function planReplay(
  dataflow: Dataflow,
  top: Record<string, unknown>,
  nodes: Record<string, unknown>[],
  settings: ReplaySettings,
): ReplayPlan {
  const ids = new Set(dataflow.nodes.map((n) => n.id));
  const recordedNodes = [...new Set(settings.recordedTopics.map(nodeOf))];
  const missing = recordedNodes.filter((n) => !ids.has(n));
  if (missing.length) {
    throw new MissingNodeError(
      missing,
      `recorded in ${settings.file} ${
        missing.length === 1 ? "is" : "are"
      } not in the dataflow ${dataflow.path}`,
    );
  }
  const replaced = settings.replace?.length
    ? [...new Set(settings.replace)]
    : recordedSources(dataflow, settings.recordedTopics);
  const unknown = replaced.filter((n) => !ids.has(n));
  if (unknown.length) {
    throw new MissingNodeError(
      unknown,
      "given to --replace not in the dataflow",
    );
  }
  const unrecorded = replaced.filter((n) => !recordedNodes.includes(n));
  if (unrecorded.length) {
    throw new ReplayPlanError(
      `nothing of ${
        unrecorded.map((n) => `"${n}"`).join(", ")
      } was recorded in ${settings.file}; recorded nodes: ${
        recordedNodes.join(", ")
      }`,
    );
  }
  if (replaced.length === 0) {
    throw new ReplayPlanError(
      `no recorded node of ${settings.file} is a source (a node without inputs from other nodes): name the nodes to replay with --replace`,
    );
  }
  const isReplaced = new Set(replaced);
  const replayedTopics = settings.recordedTopics.filter((t) =>
    isReplaced.has(nodeOf(t))
  );
  const checkedTopics = settings.recordedTopics.filter((t) =>
    !isReplaced.has(nodeOf(t))
  );
  const outputsOfNode = new Map(dataflow.nodes.map((n) => [n.id, n.outputs]));
  const undeclared = replayedTopics.filter((t) =>
    !outputsOfNode.get(nodeOf(t))!.includes(t.slice(t.indexOf("/") + 1))
  );
  if (undeclared.length) {
    throw new ReplayPlanError(
      `recorded ${undeclared.length === 1 ? "output" : "outputs"} ${
        undeclared.map((t) => `"${t}"`).join(", ")
      } not declared in the dataflow ${dataflow.path}: the replay node could not send ${
        undeclared.length === 1 ? "it" : "them"
      }`,
    );
  }
  const silentOutputs: string[] = [];
  for (const n of dataflow.nodes) {
    if (!isReplaced.has(n.id)) continue;
    for (const o of n.outputs) {
      const t = `${n.id}/${o}`;
      if (!replayedTopics.includes(t)) silentOutputs.push(t);
    }
  }
  const outputsOf = new Map(dataflow.nodes.map((n) => [n.id, n.outputs]));
  const rewritten = nodes.map((raw) => {
    const id = String(raw.id);
    if (isReplaced.has(id)) {
      return {
        id,
        description:
          `replays ${id} from ${settings.file} (added by dora replay)`,
        path: `${settings.root}/nodes/record/replayer.ts`,
        outputs: outputsOf.get(id) ?? [],
        env: {
          DORA_REPLAY_FILE: settings.file,
          DORA_REPLAY_SPEED: String(settings.speed),
          DORA_REPLAY_LOOP: String(settings.loop),
          DORA_REPLAY_START: String(settings.startTime),
        },
        permissions: { read: [settings.file] },
      };
    }
    return withBackpressure(raw, isReplaced);
  });
  let checkRecorderId: string | undefined;
  if (settings.checkOutput !== undefined) {
    if (checkedTopics.length === 0) {
      throw new ReplayPlanError(
        "--check has nothing to compare: every recorded node is replayed (record the outputs of the nodes under test too)",
      );
    }
    if (ids.has(CHECK_RECORDER_ID)) {
      throw new ReplayPlanError(
        `the dataflow already has a node "${CHECK_RECORDER_ID}" (the id --check uses)`,
      );
    }
    checkRecorderId = CHECK_RECORDER_ID;
    rewritten.push({
      id: CHECK_RECORDER_ID,
      description: "records the replay for --check (added by dora replay)",
      path: `${settings.root}/nodes/record/recorder.ts`,
      // Backpressure: the check must see every message.
      inputs: Object.fromEntries(checkedTopics.map((t) => [t, {
        source: t,
        queue_size: 1000,
        queue_policy: "backpressure",
      }])),
      env: {
        DORA_RECORD_FILE: settings.checkOutput,
        DORA_RECORD_DATAFLOW: JSON.stringify({
          topics: JSON.stringify(checkedTopics),
        }),
      },
      permissions: {
        write: [settings.checkOutput],
        read: [settings.checkOutput],
      },
    } as Record<string, unknown>);
  }
  return {
    yaml: stringify({ ...top, nodes: rewritten }, { lineWidth: 0 }),
    replaced,
    replayedTopics,
    checkedTopics,
    silentOutputs,
    checkRecorderId,
  };
}

/** `raw` with every input fed by a replaced node switched to backpressure. */
function withBackpressure(
  raw: Record<string, unknown>,
  replaced: Set<string>,
): Record<string, unknown> {
  const inputs = raw.inputs as Record<string, unknown> | undefined;
  if (!inputs || typeof inputs !== "object") return raw;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [id, spec] of Object.entries(inputs)) {
    const source = typeof spec === "string"
      ? spec
      : (spec as { source?: unknown })?.source;
    if (typeof source === "string" && replaced.has(nodeOf(source))) {
      changed = true;
      out[id] = {
        ...(typeof spec === "object" ? spec as object : {}),
        source,
        queue_policy: "backpressure",
      };
    } else out[id] = spec;
  }
  return changed ? { ...raw, inputs: out } : raw;
}
