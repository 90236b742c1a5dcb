/**
 * One watched dataflow: a control link of its own to the endpoint that
 * serves it, polled for node metrics while someone looks, its logs followed,
 * and message taps shared between viewers (one endpoint subscription per
 * topic and payload size, however many viewers want it). Everything a
 * viewer gets goes through here, so the dataflow sees one client per
 * dataflow whatever the number of browser tabs or Foxglove windows.
 *
 * @module
 */
import type { NodeInfoResult, TopicListResult } from "../control/inspect.ts";
import type {
  TopicEndEvent,
  TopicSubscribeResult,
} from "../control/inspect.ts";
import type { Peer } from "../control/peer.ts";
import {
  type NodeInfo,
  type TapBatch,
  type TopicInfo,
  topicInfos,
  type WireTapMessage,
} from "../inspect/mod.ts";
import type { LogRecord } from "../logs/mod.ts";
import { errorMessage } from "../errors.ts";
import type { DoraAccess, ViewedDataflow } from "./access.ts";

/** What a viewer sees of a dataflow at one moment. */
export interface Snapshot {
  uuid: string;
  name: string | null;
  where: string;
  /** When it was taken (ms since the epoch). */
  at: number;
  nodes: NodeInfo[];
  topics: TopicInfo[];
  /** Whether debug inspection (the message tap) is on. */
  debug: boolean;
  /** Daemons that did not answer (their nodes are missing). */
  unreachable: string[];
}

/** What a watch tells its listeners. */
export interface WatchListener {
  snapshot?(s: Snapshot): void;
  /** New log records, oldest first. */
  logs?(records: LogRecord[]): void;
  /** The dataflow ended (`finished`, `failed`, …) or its endpoint went away. */
  ended?(reason: string): void;
  /** A poll failed (the endpoint did not answer); the next may succeed. */
  problem?(message: string): void;
}

/** One viewer's end of a shared tap. */
export interface TapHandle {
  close(): void;
}

/** Options of a shared tap. */
export interface WatchTapOptions {
  /** Payload bytes copied per message. */
  maxBytes: number;
  /** Copies the endpoint keeps for this tap before dropping the oldest. */
  queueSize?: number;
}

type TapFn = (messages: WireTapMessage[], lost: number) => void;

interface SharedTap {
  key: string;
  topic: string;
  listeners: Set<TapFn>;
  /** The endpoint's subscription id, once subscribed. */
  subscription?: string;
  ready: Promise<void>;
}

/** How often node metrics are asked for while someone looks. */
export const POLL_MS = 1000;
/** Log records read back when a viewer starts watching. */
export const LOG_BACKLOG = 500;

/**
 * A watched dataflow. Open with {@linkcode DataflowWatch.open}; close when
 * the last viewer left.
 */
export class DataflowWatch {
  readonly dataflow: ViewedDataflow;
  /** The latest snapshot. */
  latest?: Snapshot;
  /** Why it ended, once it has. */
  ended?: string;
  /** The last log records (at most {@linkcode LOG_BACKLOG}). */
  readonly recentLogs: LogRecord[] = [];
  #peer: Peer;
  #listeners = new Set<WatchListener>();
  #taps = new Map<string, SharedTap>();
  #bySubscription = new Map<string, SharedTap>();
  #structure?: TopicListResult;
  #structureAge = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #closed = false;
  #polling?: Promise<void>;
  #pollMs: number;

  private constructor(dataflow: ViewedDataflow, peer: Peer, pollMs: number) {
    this.dataflow = dataflow;
    this.#peer = peer;
    this.#pollMs = pollMs;
  }

  /** Links to the endpoint of `dataflow`, takes a first snapshot and follows its logs. */
  static async open(
    access: DoraAccess,
    dataflow: ViewedDataflow,
    opts: { pollMs?: number } = {},
  ): Promise<DataflowWatch> {
    const peer = await access.connect(dataflow);
    const w = new DataflowWatch(dataflow, peer, opts.pollMs ?? POLL_MS);
    peer.setHandlers({ onEvent: (e, p) => w.#onEvent(e, p) });
    peer.closed.then(() => w.#end("its endpoint closed the link"));
    try {
      await w.#poll();
      await w.#followLogs();
    } catch (err) {
      w.close();
      throw err;
    }
    if (dataflow.runPid === undefined) {
      // A coordinator answers `wait` when the dataflow ends.
      peer.call<{ status: string; error?: string }>("wait", {
        uuid: dataflow.uuid,
      }).then(
        (o) => w.#end(o.error ? `${o.status}: ${o.error}` : o.status),
        () => {},
      );
    }
    w.#schedule();
    return w;
  }

  /** Adds a listener; returns its removal. */
  listen(l: WatchListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Viewers listening now. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** The control link (for requests the views make themselves). */
  get peer(): Peer {
    return this.#peer;
  }

  /**
   * Taps `topic` for a viewer: copies of its messages go to `fn` in batches
   * (with the copies lost on the way). Viewers asking for the same topic and
   * payload size share one subscription of the endpoint.
   */
  async tap(
    topic: string,
    opts: WatchTapOptions,
    fn: TapFn,
  ): Promise<TapHandle> {
    if (this.ended) throw new Error(`the dataflow ended (${this.ended})`);
    const key = `${topic}\u0000${opts.maxBytes}`;
    let shared = this.#taps.get(key);
    if (!shared) {
      const created: SharedTap = {
        key,
        topic,
        listeners: new Set(),
        ready: Promise.resolve(),
      };
      created.ready = this.#peer.call<TopicSubscribeResult>(
        "topic_subscribe",
        {
          ref: this.dataflow.uuid,
          topics: [topic],
          mode: "full",
          maxBytes: opts.maxBytes,
          queueSize: opts.queueSize ?? 256,
        },
      ).then((r) => {
        created.subscription = r.subscription;
        this.#bySubscription.set(r.subscription, created);
        // Everyone left while it was being set up.
        if (created.listeners.size === 0) this.#drop(created);
      }, (err) => {
        this.#taps.delete(key);
        throw err;
      });
      this.#taps.set(key, created);
      shared = created;
    }
    shared.listeners.add(fn);
    try {
      await shared.ready;
    } catch (err) {
      shared.listeners.delete(fn);
      throw err;
    }
    const s = shared;
    return {
      close: () => {
        if (!s.listeners.delete(fn)) return;
        if (s.listeners.size === 0 && s.subscription) this.#drop(s);
      },
    };
  }

  /** Taps open now (shared between viewers). */
  get tapCount(): number {
    return this.#taps.size;
  }

  #drop(s: SharedTap): void {
    this.#taps.delete(s.key);
    if (s.subscription) {
      this.#bySubscription.delete(s.subscription);
      this.#peer.call("topic_unsubscribe", { subscription: s.subscription })
        .catch(() => {});
    }
  }

  #onEvent(event: string, payload: unknown): void {
    if (event === "topic_data") {
      const b = payload as TapBatch;
      const s = this.#bySubscription.get(b.subscription);
      if (!s) return;
      const lost = Object.values(b.lost ?? {}).reduce((a, n) => a + n, 0);
      for (const fn of s.listeners) fn(b.messages ?? [], lost);
    } else if (event === "topic_end") {
      const e = payload as TopicEndEvent;
      const s = this.#bySubscription.get(e.subscription);
      if (s) {
        this.#bySubscription.delete(e.subscription);
        this.#taps.delete(s.key);
      }
    } else if (event === "log") {
      const r = (payload as { record: LogRecord }).record;
      this.#pushLogs([r]);
    } else if (event === "dataflow_finished") {
      this.#end("finished");
    }
  }

  #pushLogs(records: LogRecord[]): void {
    if (records.length === 0) return;
    this.recentLogs.push(...records);
    if (this.recentLogs.length > LOG_BACKLOG) {
      this.recentLogs.splice(0, this.recentLogs.length - LOG_BACKLOG);
    }
    for (const l of this.#listeners) l.logs?.(records);
  }

  async #followLogs(): Promise<void> {
    try {
      await this.#peer.call("follow", { ref: this.dataflow.uuid });
      const { lines } = await this.#peer.call<{ lines: LogRecord[] }>(
        "logs",
        { ref: this.dataflow.uuid, query: { tail: LOG_BACKLOG } },
      );
      lines.sort((a, b) => a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);
      this.#pushLogs(lines.slice(-LOG_BACKLOG));
    } catch {
      // An endpoint without logs: the log pane stays empty.
    }
  }

  #schedule(): void {
    if (this.#closed || this.ended) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll().catch((err) => {
        if (this.ended || this.#closed) return;
        for (const l of this.#listeners) l.problem?.(errorMessage(err));
      }).finally(() => this.#schedule());
    }, this.#pollMs);
  }

  async #poll(): Promise<void> {
    const ref = this.dataflow.uuid;
    const info = await this.#peer.call<NodeInfoResult>("node_info", { ref });
    const known = new Set(this.#structure?.topics.map((t) => t.publisher));
    const changed = info.nodes.some((n) => !known.has(n.node_id));
    // The topics change only when nodes do (or every few polls, to be sure).
    if (!this.#structure || changed || ++this.#structureAge >= 10) {
      this.#structure = await this.#peer.call<TopicListResult>("topic_list", {
        ref,
      });
      this.#structureAge = 0;
    }
    const s = this.#structure;
    const snapshot: Snapshot = {
      uuid: this.dataflow.uuid,
      name: this.dataflow.name,
      where: this.dataflow.where,
      at: Date.now(),
      nodes: info.nodes,
      topics: topicInfos(
        s.topics.map((t) => ({
          topic: t.topic,
          node: t.publisher,
          output: t.output,
          subscribers: t.subscribers,
          ...(t.type ? { type: t.type } : {}),
        })),
        info.nodes,
      ),
      debug: s.debug,
      unreachable: info.unreachable,
    };
    this.latest = snapshot;
    for (const l of this.#listeners) l.snapshot?.(snapshot);
  }

  #end(reason: string): void {
    if (this.ended || this.#closed) return;
    this.ended = reason;
    clearTimeout(this.#timer);
    for (const l of this.#listeners) l.ended?.(reason);
    this.#taps.clear();
    this.#bySubscription.clear();
  }

  /** Ends every tap, stops polling and closes the link. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const s of [...this.#taps.values()]) this.#drop(s);
    this.#listeners.clear();
    this.#peer.close(1000, "done");
  }

  /** Waits for a poll in flight (tests). */
  async settled(): Promise<void> {
    await this.#polling;
  }
}
