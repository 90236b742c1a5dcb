/**
 * One-shot topic reads for agents, on a link of their own: the latest
 * messages of an output (decoded), and an output's publish rate measured
 * over a few seconds. Each attaches a tap, collects, and detaches.
 *
 * @module
 */
import type {
  TopicSubscribeParams,
  TopicSubscribeResult,
} from "../../control/inspect.ts";
import type { Peer } from "../../control/peer.ts";
import {
  RateWindow,
  type TapBatch,
  timingEntries,
  type WireTapMessage,
} from "../../inspect/mod.ts";
import { decodeTapped } from "../tapped.ts";

/** One message as an agent reads it. */
export interface ReadMessage {
  topic: string;
  /** When it was sent (ISO 8601). */
  time: string;
  /** Arrow type, e.g. `f64` or `struct<x: f64, y: f64>`. */
  type: string;
  len: number;
  /** Payload size in bytes. */
  size: number;
  /** The values (all of them when `complete`, else those the first bytes hold). */
  values: unknown[] | null;
  complete: boolean;
  /** Metadata parameters. */
  params?: Record<string, unknown>;
}

/** The publish rate of one output. */
export interface TopicRate {
  topic: string;
  hz: number;
  messages: number;
  lost: number;
  avg_period_ms: number;
  min_period_ms: number;
  max_period_ms: number;
  bytes_per_second: number;
}

/**
 * Subscribes `topics` of `ref` on `peer`, passes each batch to `onBatch`
 * until it returns true or `ms` passed, then unsubscribes.
 */
async function withTap(
  peer: Peer,
  params: TopicSubscribeParams,
  ms: number,
  onBatch: (b: TapBatch) => boolean,
): Promise<TopicSubscribeResult> {
  const done = Promise.withResolvers<void>();
  // The subscription's id, once `topic_subscribe` answered.
  const state: { sub?: string } = {};
  const early: TapBatch[] = [];
  peer.setHandlers({
    onEvent: (event, payload) => {
      if (event === "topic_data") {
        const b = payload as TapBatch;
        if (state.sub === undefined) early.push(b);
        else if (b.subscription === state.sub && onBatch(b)) done.resolve();
      } else if (event === "topic_end" || event === "dataflow_finished") {
        done.resolve();
      }
    },
  });
  const r = await peer.call<TopicSubscribeResult>("topic_subscribe", params);
  state.sub = r.subscription;
  for (const b of early) {
    if (b.subscription === state.sub && onBatch(b)) done.resolve();
  }
  const timer = setTimeout(done.resolve, ms);
  peer.closed.then(done.resolve);
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
    await peer.call("topic_unsubscribe", { subscription: state.sub }).catch(
      () => {},
    );
  }
  return r;
}

function readable(m: WireTapMessage): ReadMessage {
  const d = decodeTapped(m);
  const ns = BigInt(m.ts);
  return {
    topic: m.topic,
    time: new Date(Number(ns / 1_000_000n)).toISOString(),
    type: d.type,
    len: d.len,
    size: d.size,
    values: d.values,
    complete: d.complete,
    ...(d.params ? { params: d.params } : {}),
  };
}

/**
 * The next `count` messages of `topic` (waiting at most `timeoutMs`), with
 * how many copies were lost on the way.
 */
export async function readTopic(
  peer: Peer,
  ref: string,
  topic: string,
  opts: { count: number; timeoutMs: number; maxBytes: number },
): Promise<{ messages: ReadMessage[]; lost: number; timedOut: boolean }> {
  const messages: ReadMessage[] = [];
  let lost = 0;
  await withTap(
    peer,
    {
      ref,
      topics: [topic],
      mode: "full",
      maxBytes: opts.maxBytes,
      queueSize: Math.max(16, opts.count * 2),
    },
    opts.timeoutMs,
    (b) => {
      lost += Object.values(b.lost ?? {}).reduce((a, n) => a + n, 0);
      for (const m of b.messages ?? []) {
        if (messages.length < opts.count) messages.push(readable(m));
      }
      return messages.length >= opts.count;
    },
  );
  return { messages, lost, timedOut: messages.length < opts.count };
}

/** The publish rates of `topics` (every output when empty) over `seconds`. */
export async function measureRates(
  peer: Peer,
  ref: string,
  topics: string[],
  seconds: number,
): Promise<TopicRate[]> {
  const windows = new Map<string, RateWindow>();
  const lostBy = new Map<string, number>();
  const start = Date.now();
  const r = await withTap(
    peer,
    { ref, topics, mode: "timing", queueSize: 4096 },
    seconds * 1000,
    (b) => {
      const now = Date.now();
      for (const [topic, run] of Object.entries(b.timing ?? {})) {
        let w = windows.get(topic);
        if (!w) windows.set(topic, w = new RateWindow(seconds * 1000 + 1000));
        let lostBefore = b.lost?.[topic] ?? 0;
        for (const e of timingEntries(run)) {
          w.add(e.ts, now, e.size, lostBefore);
          lostBefore = 0;
        }
      }
      for (const [topic, n] of Object.entries(b.lost ?? {})) {
        lostBy.set(topic, (lostBy.get(topic) ?? 0) + n);
      }
      return false;
    },
  );
  const now = Math.max(Date.now(), start + seconds * 1000);
  return r.topics.map((topic) => {
    const s = windows.get(topic)?.stats(now);
    return {
      topic,
      hz: round(s?.hz ?? 0),
      messages: s?.count ?? 0,
      lost: lostBy.get(topic) ?? 0,
      avg_period_ms: round(s?.avgMs ?? 0),
      min_period_ms: round(s?.minMs ?? 0),
      max_period_ms: round(s?.maxMs ?? 0),
      bytes_per_second: Math.round(s?.bytesPerSec ?? 0),
    };
  });
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : 0;
}
