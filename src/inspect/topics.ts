/**
 * The topics of a dataflow: every output `node/output` (declared outputs and
 * the log routing outputs `send_stdout_as` / `send_logs_as`) with its
 * publisher and subscribers, and resolving the topic names a user typed.
 *
 * @module
 */
import type { Dataflow } from "../descriptor/model.ts";
import { suggest } from "../descriptor/suggest.ts";

/** One output of a dataflow. */
export interface Topic {
  /** `node/output`. */
  topic: string;
  node: string;
  output: string;
  /** The inputs fed by it, as `node/input`. */
  subscribers: string[];
  /** Its type annotation (`output_types`), if any. */
  type?: string;
}

/** Every output of `dataflow`, in descriptor order. */
export function dataflowTopics(dataflow: Dataflow): Topic[] {
  const subscribers = new Map<string, string[]>();
  for (const n of dataflow.nodes) {
    for (const i of n.inputs) {
      if (i.source.kind !== "node") continue;
      const key = `${i.source.node}/${i.source.output}`;
      const list = subscribers.get(key);
      if (list) list.push(`${n.id}/${i.id}`);
      else subscribers.set(key, [`${n.id}/${i.id}`]);
    }
  }
  const out: Topic[] = [];
  for (const n of dataflow.nodes) {
    const outputs = [
      ...new Set(
        [...n.outputs, n.sendStdoutAs, n.sendLogsAs].filter((o): o is string =>
          !!o
        ),
      ),
    ];
    for (const o of outputs) {
      const topic = `${n.id}/${o}`;
      out.push({
        topic,
        node: n.id,
        output: o,
        subscribers: subscribers.get(topic) ?? [],
        ...(n.outputTypes?.[o] ? { type: n.outputTypes[o] } : {}),
      });
    }
  }
  return out;
}

/** A topic name that is not an output of the dataflow. */
export class UnknownTopicError extends Error {
  /** A machine-readable kind for the control plane's error replies. */
  readonly code = "unknown_topic";
  constructor(
    readonly topic: string,
    readonly known: string[],
    readonly suggestion?: string,
  ) {
    super(
      `no topic "${topic}" in this dataflow${
        suggestion ? ` (did you mean "${suggestion}"?)` : ""
      }; its topics: ${known.join(", ") || "none"}`,
    );
    this.name = "UnknownTopicError";
  }
}

/**
 * The topics named by `names` (`node/output`), or every topic when `names`
 * is empty. Throws {@linkcode UnknownTopicError} for a name that is not an
 * output, with the closest one as a suggestion.
 */
export function resolveTopics(topics: Topic[], names: string[]): Topic[] {
  if (names.length === 0) return topics;
  const byName = new Map(topics.map((t) => [t.topic, t]));
  const out: Topic[] = [];
  for (const name of names) {
    const t = byName.get(name);
    if (!t) {
      const known = topics.map((x) => x.topic);
      throw new UnknownTopicError(name, known, suggest(name, known));
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** Debug inspection is off for a dataflow: the topic commands cannot tap it. */
export class DebugDisabledError extends Error {
  readonly code = "debug_disabled";
  constructor(readonly dataflow: string) {
    super(
      `dataflow ${dataflow} was started without debug inspection, so its messages cannot be tapped: start it with \`--debug\` (\`dora run --debug\` or \`dora start --debug\`), or add \`_unstable_debug: { publish_all_messages_to_zenoh: true }\` (or \`debug: { enable_debug_inspection: true }\`) to its YAML`,
    );
    this.name = "DebugDisabledError";
  }
}

/** One topic in `dora topic list` (JSON shape). */
export interface TopicInfo {
  topic: string;
  /** The publishing node. */
  publisher: string;
  output: string;
  /** The inputs it feeds, as `node/input`. */
  subscribers: string[];
  /** Its type annotation, if any. */
  type: string | null;
  /** The publisher runs and has not closed the output. */
  live: boolean;
  /** Messages per second at the last sample (0 when unknown). */
  rate: number;
  /** Messages sent so far. */
  sent: number;
  /** Topic taps attached now (`topic echo`, `hz`, `info`). */
  taps: number;
}

/** Topics with their live state from the publishers' node infos. */
export function topicInfos(
  topics: Topic[],
  nodes: {
    node_id: string;
    outputs: {
      id: string;
      open: boolean;
      rate: number;
      sent: number;
      taps?: number;
    }[];
  }[],
): TopicInfo[] {
  const outputs = new Map<
    string,
    { open: boolean; rate: number; sent: number; taps?: number }
  >();
  for (const n of nodes) {
    for (const o of n.outputs) outputs.set(`${n.node_id}/${o.id}`, o);
  }
  return topics.map((t) => {
    const o = outputs.get(t.topic);
    return {
      topic: t.topic,
      publisher: t.node,
      output: t.output,
      subscribers: t.subscribers,
      type: t.type ?? null,
      live: o?.open ?? false,
      rate: o?.rate ?? 0,
      sent: o?.sent ?? 0,
      taps: o?.taps ?? 0,
    };
  });
}
