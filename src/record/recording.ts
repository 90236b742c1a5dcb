/**
 * Reading a dora recording as a whole: its dataflow metadata, topics with
 * their types, counts, times and drops, and its messages in file order
 * (decoded to Arrow on request). Works on crashed recordings (up to the last
 * complete chunk) and skips damaged chunks, saying so in the report.
 *
 * @module
 */
import { McapIndexedReader } from "@mcap/core";
import {
  type ChannelRecord,
  type MessageRecord,
  newScanReport,
  scanMcap,
  type ScanReport,
  type SchemaRecord,
} from "./mcap/scanner.ts";
import {
  ARROW_ENCODING,
  ARROW_IPC_ENCODING,
  META_DATAFLOW,
  META_QUEUE_DROPS,
  META_TOPICS,
  type TopicStats,
} from "./format.ts";
import {
  type DecodedMessage,
  decodeMessage,
  MessageDecoder,
} from "./arrow_ipc.ts";

/** A recording without dora's `dora.dataflow` metadata (not from dora record). */
export class NotADoraRecordingError extends Error {
  constructor(readonly path: string) {
    super(
      `${path} was not written by \`dora record\` (it has no "${META_DATAFLOW}" metadata): pass the dataflow to run with --dataflow`,
    );
    this.name = "NotADoraRecordingError";
  }
}

/** One topic of a recording. */
export interface TopicInfo {
  topic: string;
  /** Arrow type names of its schemas (usually one). */
  types: string[];
  /** Type URN from the dataflow (`output_types`), when declared. */
  urn?: string;
  messageEncoding: string;
  /** Messages found in the file. */
  messages: number;
  /** Bytes of their payloads. */
  bytes: number;
  /** Log times of the first and last message (ns). */
  firstTime?: bigint;
  lastTime?: bigint;
  /** Messages lost while recording (recorder queue + input queue). */
  dropped: number;
}

/** What `recording info` shows. */
export interface RecordingInfo {
  path: string;
  /** The `dora.dataflow` metadata, when written by dora record. */
  dataflow?: Record<string, string>;
  topics: TopicInfo[];
  messages: number;
  bytes: number;
  firstTime?: bigint;
  lastTime?: bigint;
  /** Whether the recorder finished properly (its final counts are in). */
  finished: boolean;
  report: ScanReport;
}

/** A message of the recording with what it needs to be decoded. */
export interface RecordedMessage {
  topic: string;
  /** Index of the message within its topic (0-based). */
  index: number;
  logTime: bigint;
  publishTime: bigint;
  /** The encoded record batch (valid until the next message). */
  data: Uint8Array;
  schema: SchemaRecord | undefined;
  channel: ChannelRecord;
  /** Decodes the Arrow value and parameters. */
  decode(): DecodedMessage;
}

/** Options of {@linkcode readMessages}. */
export interface ReadOptions {
  /** Only these topics (default all). */
  topics?: Set<string>;
  /** Check chunk CRCs (default true). */
  validateCrc?: boolean;
  /** See {@linkcode ScanOptions.beforeReuse}. */
  beforeReuse?: () => Promise<void>;
  /** Receives the dataflow metadata when it is read. */
  onMetadata?(name: string, metadata: Map<string, string>): void;
}

/**
 * The messages of a recording in file order (the order they were recorded
 * in). `report` says afterwards whether the file was truncated or damaged.
 */
export async function* readMessages(
  path: string,
  report: ScanReport = newScanReport(),
  options: ReadOptions = {},
): AsyncGenerator<RecordedMessage> {
  const schemas = new Map<number, SchemaRecord>();
  const channels = new Map<number, ChannelRecord>();
  const counts = new Map<string, number>();
  const decoder = new MessageDecoder();
  for await (
    const r of scanMcap(path, report, {
      validateCrc: options.validateCrc,
      beforeReuse: options.beforeReuse,
    })
  ) {
    switch (r.type) {
      case "schema":
        schemas.set(r.id, r);
        break;
      case "channel":
        channels.set(r.id, r);
        break;
      case "metadata":
        options.onMetadata?.(r.name, r.metadata);
        break;
      case "message": {
        const channel = channels.get(r.channelId);
        if (!channel) {
          report.corruptRecords++;
          report.firstProblem ??=
            `message on channel ${r.channelId} without a channel record`;
          break;
        }
        if (options.topics && !options.topics.has(channel.topic)) break;
        const index = counts.get(channel.topic) ?? 0;
        counts.set(channel.topic, index + 1);
        yield message(
          r,
          channel,
          schemas.get(channel.schemaId),
          index,
          decoder,
        );
      }
    }
  }
}

function message(
  r: MessageRecord,
  channel: ChannelRecord,
  schema: SchemaRecord | undefined,
  index: number,
  decoder: MessageDecoder,
): RecordedMessage {
  return {
    topic: channel.topic,
    index,
    logTime: r.logTime,
    publishTime: r.publishTime,
    data: r.data,
    schema,
    channel,
    decode(): DecodedMessage {
      if (!schema) {
        throw new RangeError(`topic "${channel.topic}" has no schema`);
      }
      if (channel.messageEncoding === ARROW_IPC_ENCODING) {
        // dora 1.x: a whole IPC stream per message (schema + batch).
        return decodeMessage(new Uint8Array(0), r.data);
      }
      if (channel.messageEncoding !== ARROW_ENCODING) {
        throw new RangeError(
          `topic "${channel.topic}" uses message encoding "${channel.messageEncoding}", not Arrow`,
        );
      }
      return decoder.decode(schema.data, r.data);
    },
  };
}

/**
 * Reads the whole recording once and summarises it.
 *
 * @throws {NotMcapError} when the file is not MCAP.
 */
export async function recordingInfo(path: string): Promise<RecordingInfo> {
  const report = newScanReport();
  const topics = new Map<string, TopicInfo>();
  let dataflow: Record<string, string> | undefined;
  let stats: Map<string, string> | undefined;
  let queueDrops: Map<string, string> | undefined;
  const topic = (c: ChannelRecord): TopicInfo => {
    let t = topics.get(c.topic);
    if (!t) {
      topics.set(
        c.topic,
        t = {
          topic: c.topic,
          types: [],
          messageEncoding: c.messageEncoding,
          messages: 0,
          bytes: 0,
          dropped: 0,
        },
      );
    }
    return t;
  };
  const info: RecordingInfo = {
    path,
    topics: [],
    messages: 0,
    bytes: 0,
    finished: false,
    report,
  };
  const seenSchemas = new Set<string>();
  for await (
    const m of readMessages(path, report, {
      onMetadata(name, metadata) {
        if (name === META_DATAFLOW) dataflow = Object.fromEntries(metadata);
        else if (name === META_TOPICS) stats = metadata;
        else if (name === META_QUEUE_DROPS) queueDrops = metadata;
      },
    })
  ) {
    const t = topic(m.channel);
    const key = `${m.topic}\n${m.schema?.name}`;
    if (m.schema && !seenSchemas.has(key)) {
      seenSchemas.add(key);
      t.types.push(m.schema.name);
    }
    t.urn ??= m.channel.metadata.get("dora.type");
    t.messages++;
    t.bytes += m.data.length;
    t.firstTime ??= m.logTime;
    t.lastTime = m.logTime;
    info.messages++;
    info.bytes += m.data.length;
    if (info.firstTime === undefined || m.logTime < info.firstTime) {
      info.firstTime = m.logTime;
    }
    if (info.lastTime === undefined || m.logTime > info.lastTime) {
      info.lastTime = m.logTime;
    }
  }
  // Topics recorded but silent still belong in the list.
  const recorded = dataflow?.topics ? JSON.parse(dataflow.topics) : [];
  for (const name of recorded as string[]) {
    if (!topics.has(name)) {
      topics.set(name, {
        topic: name,
        types: [],
        messageEncoding: ARROW_ENCODING,
        messages: 0,
        bytes: 0,
        dropped: 0,
      });
    }
  }
  for (const [name, json] of stats ?? []) {
    const t = topics.get(name);
    if (t) t.dropped += (JSON.parse(json) as TopicStats).dropped;
  }
  for (const [name, n] of queueDrops ?? []) {
    const t = topics.get(name);
    if (t) t.dropped += Number(n);
  }
  info.dataflow = dataflow;
  info.finished = stats !== undefined;
  info.topics = [...topics.values()].sort((a, b) =>
    a.topic.localeCompare(b.topic)
  );
  return info;
}

/**
 * The `dora.dataflow` metadata of a recording (read from its start).
 *
 * @throws {NotADoraRecordingError} when there is none.
 */
export async function recordedDataflow(
  path: string,
): Promise<Record<string, string>> {
  const report = newScanReport();
  for await (const r of scanMcap(path, report)) {
    if (r.type === "metadata" && r.name === META_DATAFLOW) {
      return Object.fromEntries(r.metadata);
    }
    // dora record writes it before any message.
    if (r.type === "message") break;
  }
  throw new NotADoraRecordingError(path);
}

/**
 * What replay needs to start, from the summary of a finished recording
 * (no scan of the data): topics with their counts, the first log time and
 * the dataflow metadata. Undefined when the file has no usable summary (a
 * crashed recording): then use {@linkcode recordingInfo}.
 */
export async function summaryInfo(
  path: string,
): Promise<RecordingInfo | undefined> {
  using file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  const readable = {
    size: () => Promise.resolve(BigInt(size)),
    async read(offset: bigint, length: bigint): Promise<Uint8Array> {
      const out = new Uint8Array(Number(length));
      await file.seek(Number(offset), Deno.SeekMode.Start);
      let got = 0;
      while (got < out.length) {
        const n = await file.read(out.subarray(got));
        if (n === null) throw new RangeError("unexpected end of file");
        got += n;
      }
      return out;
    },
  };
  let reader: McapIndexedReader;
  try {
    reader = await McapIndexedReader.Initialize({ readable });
  } catch {
    return undefined;
  }
  const stats = reader.statistics;
  if (!stats) return undefined;
  const meta = new Map<string, Map<string, string>>();
  for await (const m of reader.readMetadata()) meta.set(m.name, m.metadata);
  const dataflow = meta.get(META_DATAFLOW);
  const topics = new Map<string, TopicInfo>();
  for (const c of reader.channelsById.values()) {
    const t = topics.get(c.topic) ?? {
      topic: c.topic,
      types: [],
      messageEncoding: c.messageEncoding,
      messages: 0,
      bytes: 0,
      dropped: 0,
    };
    t.messages += Number(stats.channelMessageCounts.get(c.id) ?? 0n);
    const schema = reader.schemasById.get(c.schemaId);
    if (schema && !t.types.includes(schema.name)) t.types.push(schema.name);
    t.urn ??= c.metadata.get("dora.type");
    topics.set(c.topic, t);
  }
  for (const [name, json] of meta.get(META_TOPICS) ?? []) {
    const t = topics.get(name);
    if (t) t.dropped += (JSON.parse(json) as TopicStats).dropped;
  }
  for (const [name, n] of meta.get(META_QUEUE_DROPS) ?? []) {
    const t = topics.get(name);
    if (t) t.dropped += Number(n);
  }
  const report = newScanReport();
  report.complete = true;
  report.size = size;
  return {
    path,
    dataflow: dataflow ? Object.fromEntries(dataflow) : undefined,
    topics: [...topics.values()].sort((a, b) => a.topic.localeCompare(b.topic)),
    messages: Number(stats.messageCount),
    bytes: 0,
    firstTime: stats.messageCount > 0n ? stats.messageStartTime : undefined,
    lastTime: stats.messageCount > 0n ? stats.messageEndTime : undefined,
    finished: meta.has(META_TOPICS),
    report,
  };
}
