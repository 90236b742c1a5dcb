/**
 * The subscription hub between a runtime's taps and the CLIs that asked for
 * them (a daemon, or `dora run`'s endpoint): each subscription taps some
 * outputs, drains their queues every few milliseconds into one batch, and
 * hands it to its sink (a control link). A slow sink is never waited for:
 * while its link is congested the taps' bounded queues drop their oldest
 * copies, and the next batch says how many each topic lost.
 *
 * @module
 */
import type { DataLayout, WireParam } from "../message/mod.ts";
import type { OutputTap, TapSource } from "./tap.ts";

/** How copies are sent: whole (echo) or only their timing (hz). */
export type TapMode = "full" | "timing";

/** One copied message on the wire (mode `full`). */
export interface WireTapMessage {
  topic: string;
  /** HLC timestamp, ns (decimal). */
  ts: string;
  /** Metadata parameters (wire form). */
  p?: Record<string, WireParam>;
  /** Data layout. */
  d?: DataLayout;
  /** The first `maxBytes` payload bytes, base64. */
  b?: string;
  /** Full payload size in bytes. */
  size: number;
}

/** Timing of a run of copies: `[base ts, offsets from it in ns, sizes]`. */
export type TimingRun = [string, number[], number[]];

/** The timestamps (ns) and sizes of a {@linkcode TimingRun}, in order. */
export function* timingEntries(
  run: TimingRun,
): Generator<{ ts: bigint; size: number }> {
  const base = BigInt(run[0]);
  for (let i = 0; i < run[1].length; i++) {
    yield { ts: base + BigInt(run[1][i]!), size: run[2][i]! };
  }
}

/** What a subscription's sink receives. */
export interface TapBatch {
  subscription: string;
  /** Mode `full`. */
  messages?: WireTapMessage[];
  /**
   * Mode `timing`, per topic: the first copy's timestamp (ns, decimal), then
   * each copy's offset from it (ns) and its size. Compact, and numbers only:
   * cheap to encode at 10 kHz.
   */
  timing?: Record<string, TimingRun>;
  /** Copies dropped per topic since the previous batch. */
  lost?: Record<string, number>;
}

/** Where a subscription's batches go. */
export interface TapSink {
  send(batch: TapBatch): void;
  /** Whether the link is too far behind to take more now. */
  congested(): boolean;
}

/** Options of one subscription. */
export interface SubscribeOptions {
  mode: TapMode;
  /** Payload bytes copied per message (mode `full`). */
  maxBytes: number;
  /** Copies each tap keeps before dropping the oldest. */
  queueSize: number;
  /** Groups subscriptions (a dataflow's uuid) for {@linkcode TapHub.closeGroup}. */
  group: string;
}

interface Subscription {
  id: string;
  group: string;
  mode: TapMode;
  taps: { topic: string; tap: OutputTap }[];
  sink: TapSink;
  timer?: ReturnType<typeof setTimeout>;
  onClose?: () => void;
}

/** How long copies gather before a batch goes out. */
const FLUSH_MS = 25;
/** How long to wait for a congested link before trying again. */
const CONGESTED_RETRY_MS = 50;

/**
 * Subscriptions of one process.
 *
 * @example
 * ```ts
 * const hub = new TapHub();
 * hub.subscribe("s1", runtime, [{ node: "camera", output: "image" }], {
 *   mode: "full", maxBytes: 4096, queueSize: 256, group: runtime.id,
 * }, { send: (b) => peer.notify("topic_data", b), congested: () => false });
 * hub.unsubscribe("s1");
 * ```
 */
export class TapHub {
  #subs = new Map<string, Subscription>();

  /** Subscriptions open now. */
  get size(): number {
    return this.#subs.size;
  }

  /** Whether `id` is open. */
  has(id: string): boolean {
    return this.#subs.has(id);
  }

  /**
   * Taps `topics` of `source` for subscription `id`. Throws (and taps
   * nothing) when one of them cannot be tapped. `onClose` runs once when the
   * subscription ends, however it ends.
   */
  subscribe(
    id: string,
    source: TapSource,
    topics: { node: string; output: string }[],
    opts: SubscribeOptions,
    sink: TapSink,
    onClose?: () => void,
  ): void {
    if (this.#subs.has(id)) throw new Error(`subscription ${id} exists`);
    const sub: Subscription = {
      id,
      group: opts.group,
      mode: opts.mode,
      taps: [],
      sink,
      onClose,
    };
    try {
      for (const t of topics) {
        sub.taps.push({
          topic: `${t.node}/${t.output}`,
          tap: source.subscribeOutput(t.node, t.output, {
            queueSize: opts.queueSize,
            maxBytes: opts.mode === "full" ? opts.maxBytes : 0,
            onMessage: () => this.#schedule(sub, FLUSH_MS),
          }),
        });
      }
    } catch (err) {
      for (const t of sub.taps) t.tap.close();
      throw err;
    }
    this.#subs.set(id, sub);
  }

  /** Ends subscription `id` (idempotent). */
  unsubscribe(id: string): void {
    const sub = this.#subs.get(id);
    if (!sub) return;
    this.#subs.delete(id);
    clearTimeout(sub.timer);
    for (const t of sub.taps) t.tap.close();
    sub.onClose?.();
  }

  /**
   * Ends every subscription of `group` after sending what they have queued;
   * returns their ids.
   */
  closeGroup(group: string): string[] {
    const ids = [...this.#subs.values()].filter((s) => s.group === group).map((
      s,
    ) => s.id);
    for (const id of ids) {
      this.flushNow(id);
      this.unsubscribe(id);
    }
    return ids;
  }

  /** Ends every subscription. */
  closeAll(): void {
    for (const id of [...this.#subs.keys()]) this.unsubscribe(id);
  }

  /** Sends what is queued for `id` now (the last copies before it ends). */
  flushNow(id: string): void {
    const sub = this.#subs.get(id);
    if (sub) this.#flush(sub);
  }

  #schedule(sub: Subscription, ms: number): void {
    if (sub.timer !== undefined || !this.#subs.has(sub.id)) return;
    sub.timer = setTimeout(() => {
      sub.timer = undefined;
      this.#flush(sub);
    }, ms);
  }

  #flush(sub: Subscription): void {
    if (!this.#subs.has(sub.id)) return;
    if (sub.sink.congested()) {
      // The queues keep dropping their oldest copies meanwhile (counted).
      this.#schedule(sub, CONGESTED_RETRY_MS);
      return;
    }
    const batch: TapBatch = { subscription: sub.id };
    let any = false;
    for (const { topic, tap } of sub.taps) {
      const { messages, lost } = tap.drain();
      if (lost > 0) {
        (batch.lost ??= {})[topic] = lost;
        any = true;
      }
      if (messages.length === 0) continue;
      any = true;
      if (sub.mode === "timing") {
        const first = messages[0]!.metadata.ts;
        const base = BigInt(first);
        const offsets: number[] = new Array(messages.length);
        const sizes: number[] = new Array(messages.length);
        for (let i = 0; i < messages.length; i++) {
          offsets[i] = Number(BigInt(messages[i]!.metadata.ts) - base);
          sizes[i] = messages[i]!.size;
        }
        (batch.timing ??= {})[topic] = [first, offsets, sizes];
      } else {
        const out = batch.messages ??= [];
        for (const m of messages) {
          const p = m.metadata.p;
          const w: WireTapMessage = { topic, ts: m.metadata.ts, size: m.size };
          if (p && Object.keys(p).length) w.p = p;
          if (m.layout) w.d = m.layout;
          if (m.payload) w.b = m.payload.toBase64();
          out.push(w);
        }
      }
    }
    if (any) sub.sink.send(batch);
  }
}

/** A WebSocket whose unsent bytes exceed this is congested. */
export const CONGESTED_BYTES = 4 * 1024 * 1024;

/** A sink over a control link: `event` frames, congested past {@linkcode CONGESTED_BYTES}. */
export function linkSink(
  link: { ws: WebSocket; notifyJson(event: string, json: string): void },
  event: string,
): TapSink {
  return {
    // A batch holds no bigint: plain JSON, without the bigint-aware encoder.
    send: (batch) => link.notifyJson(event, JSON.stringify(batch)),
    congested: () => link.ws.bufferedAmount > CONGESTED_BYTES,
  };
}
