/**
 * The recorder's core, independent of the node API: encodes each received
 * message at once (so its shared memory goes back to the sender), keeps it in
 * its own byte-bounded queue, and writes the queue to MCAP in the background.
 * A message that does not fit in the queue is dropped and counted per topic;
 * the counts go into the file's `dora.topics` metadata at the end.
 *
 * @module
 */
import type { Vector } from "apache-arrow";
import type { Params } from "../message/metadata.ts";
import { MessageEncoder } from "./arrow_ipc.ts";
import type { RecordingWriter } from "./mcap/writer.ts";
import {
  ARROW_ENCODING,
  CHANNEL_NODE,
  CHANNEL_OUTPUT,
  CHANNEL_TYPE,
  META_DATAFLOW,
  META_TOPICS,
  type TopicStats,
} from "./format.ts";

/** Options of {@linkcode Recorder}. */
export interface RecorderOptions {
  /** Bytes the recorder may hold before it drops (default 512 MiB). */
  bufferBytes?: number;
  /** Type URN per topic (from `output_types`), for the channel metadata. */
  types?: Record<string, string>;
  /** Check for a chunk old enough to write this often (default 250 ms). */
  flushEveryMs?: number;
}

/** Batches this big reuse written ones (no fresh zeroed pages per frame). */
const POOLED = 256 << 10;

interface Pending {
  channel: number;
  time: bigint;
  bytes: Uint8Array;
  topic: string;
}

/** Records messages into one MCAP file. */
export class Recorder {
  #writer: RecordingWriter;
  #encoder = new MessageEncoder();
  #limit: number;
  #types: Record<string, string>;
  #queue: Pending[] = [];
  #head = 0;
  #queued = 0;
  #draining: Promise<void> | null = null;
  #failure: unknown = null;
  #channels = new Map<string, number>();
  #schemas = new Map<string, number>();
  #stats = new Map<string, TopicStats>();
  #timer: ReturnType<typeof setInterval>;
  /** Written batches of big messages, by size, for the next ones. */
  #spare = new Map<number, Uint8Array[]>();
  #alloc = (size: number): Uint8Array => {
    if (size >= POOLED) {
      const reused = this.#spare.get(size)?.pop();
      if (reused) return reused;
    }
    return new Uint8Array(size);
  };
  #finished = false;

  constructor(writer: RecordingWriter, options: RecorderOptions = {}) {
    this.#writer = writer;
    this.#limit = options.bufferBytes ?? 512 << 20;
    this.#types = options.types ?? {};
    this.#timer = setInterval(() => {
      if (!this.#draining) this.#kick();
    }, options.flushEveryMs ?? 250);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Writes the header and the dataflow metadata (before any message). */
  async start(dataflow: Record<string, string>): Promise<void> {
    await this.#writer.start();
    await this.#writer.addMetadata(META_DATAFLOW, dataflow);
  }

  /** Statistics per topic so far. */
  get stats(): Map<string, TopicStats> {
    return this.#stats;
  }

  #topicStats(topic: string): TopicStats {
    let s = this.#stats.get(topic);
    if (!s) this.#stats.set(topic, s = { messages: 0, bytes: 0, dropped: 0 });
    return s;
  }

  /** Counts a message of `topic` that never reached the recorder. */
  countDropped(topic: string, n = 1): void {
    this.#topicStats(topic).dropped += n;
  }

  /**
   * Takes one message of `topic` (`node/output`): encoded now, written
   * later. Returns false when it was dropped (queue full).
   */
  push(topic: string, value: Vector, params: Params, time: bigint): boolean {
    if (this.#failure) throw this.#failure;
    const stats = this.#topicStats(topic);
    const encoded = this.#encoder.encode(value, params, this.#alloc);
    if (this.#queued + encoded.batch.length > this.#limit) {
      stats.dropped++;
      return false;
    }
    const channel = this.#channelFor(
      topic,
      value,
      encoded.schemaKey,
      encoded.schema,
    );
    const bytes = encoded.batch;
    this.#queue.push({ channel, time, bytes, topic });
    this.#queued += bytes.length;
    if (!this.#draining) this.#kick();
    return true;
  }

  #channelFor(
    topic: string,
    value: Vector,
    schemaKey: string,
    schema: Uint8Array,
  ): number {
    const key = `${topic}\n${schemaKey}`;
    let channel = this.#channels.get(key);
    if (channel !== undefined) return channel;
    let schemaId = this.#schemas.get(schemaKey);
    if (schemaId === undefined) {
      schemaId = this.#writer.addSchema(
        String(value.type),
        ARROW_ENCODING,
        schema.slice(),
      );
      this.#schemas.set(schemaKey, schemaId);
    }
    const slash = topic.indexOf("/");
    const metadata: Record<string, string> = {
      [CHANNEL_NODE]: topic.slice(0, slash),
      [CHANNEL_OUTPUT]: topic.slice(slash + 1),
    };
    const urn = this.#types[topic];
    if (urn) metadata[CHANNEL_TYPE] = urn;
    channel = this.#writer.addChannel(
      schemaId,
      topic,
      ARROW_ENCODING,
      metadata,
    );
    this.#channels.set(key, channel);
    return channel;
  }

  #kick(): void {
    this.#draining = this.#drain().catch((e) => {
      this.#failure = e;
    }).finally(() => {
      this.#draining = null;
    });
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#queue.length) {
      const p = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      await this.#writer.addMessage(p.channel, p.time, p.time, p.bytes);
      this.#queued -= p.bytes.length;
      if (p.bytes.length >= POOLED && p.bytes.byteOffset === 0) {
        let list = this.#spare.get(p.bytes.length);
        if (!list) this.#spare.set(p.bytes.length, list = []);
        if (list.length < 4) list.push(p.bytes);
      }
      const stats = this.#topicStats(p.topic);
      stats.messages++;
      stats.bytes += p.bytes.length;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
    await this.#writer.flushIfOld();
  }

  /**
   * Writes what is queued, the per-topic counts (`dora.topics`) and the
   * summary. Throws what a background write threw. Idempotent.
   */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    while (this.#draining) await this.#draining;
    if (this.#head < this.#queue.length) await this.#drain();
    if (this.#failure) throw this.#failure;
    const topics: Record<string, string> = {};
    for (const [topic, s] of this.#stats) topics[topic] = JSON.stringify(s);
    await this.#writer.addMetadata(META_TOPICS, topics);
    await this.#writer.end();
  }
}
