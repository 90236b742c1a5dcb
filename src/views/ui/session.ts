/**
 * One dashboard page connected to `dora ui`: which dataflow it watches,
 * which topic its topic panel shows, and the batching that keeps each panel
 * at a few updates a second whatever the dataflow does. Everything it holds
 * (its lease on a watch, its tap) is given back when the page goes away,
 * however it goes away.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import type { WireTapMessage } from "../../inspect/mod.ts";
import type { LogRecord } from "../../logs/mod.ts";
import type { ViewedDataflow } from "../access.ts";
import type { Outbox } from "../outbox.ts";
import { decodeTapped, numericSeries } from "../tapped.ts";
import type { TapHandle } from "../watch.ts";
import type { WatchLease, WatchPool } from "../watch_pool.ts";
import {
  FLUSH_MS,
  LOG_BATCH,
  TOPIC_MAX_BYTES,
  TOPIC_RING,
  TOPIC_TEXT_MESSAGES,
  type UiClientMessage,
  type UiPlotPoint,
  type UiServerMessage,
  type UiTopicMessage,
} from "./protocol.ts";

/** What a session needs from its server. */
export interface SessionContext {
  pool: WatchPool;
  /** The dataflows the server knows of now. */
  dataflows(): ViewedDataflow[];
}

/** One connected page. */
export class UiSession {
  readonly out: Outbox;
  #ctx: SessionContext;
  #lease?: WatchLease;
  #unlisten?: () => void;
  #watching?: string;
  #tap?: TapHandle;
  #topic?: string;
  #topicRing: WireTapMessage[] = [];
  #topicLost = 0;
  #topicDirty = false;
  #logs: LogRecord[] = [];
  #logsSkipped = 0;
  #timer: ReturnType<typeof setInterval>;
  #closed = false;
  /** Serialises the page's requests (a watch finishes before the next). */
  #queue: Promise<void> = Promise.resolve();

  constructor(out: Outbox, ctx: SessionContext) {
    this.out = out;
    this.#ctx = ctx;
    this.#timer = setInterval(() => this.#flush(), FLUSH_MS);
  }

  /** Sends a message (skippable ones are dropped while the page is behind). */
  send(msg: UiServerMessage, skippable = true): void {
    this.out.send(JSON.stringify(msg), skippable);
  }

  /** Handles one frame from the page. */
  receive(text: string): void {
    let msg: UiClientMessage;
    try {
      msg = JSON.parse(text) as UiClientMessage;
    } catch {
      this.send({ t: "error", text: "a frame that is not JSON" }, false);
      return;
    }
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        if (msg.t === "watch") await this.watch(String(msg.uuid));
        else if (msg.t === "topic") {
          await this.showTopic(msg.topic === null ? null : String(msg.topic));
        } else {
          this.send({
            t: "error",
            text: `unknown request "${(msg as { t: unknown }).t}"`,
          }, false);
        }
      } catch (err) {
        this.send({ t: "error", text: errorMessage(err) }, false);
      }
    });
  }

  /** Watches the dataflow `uuid` (instead of the one watched before). */
  async watch(uuid: string): Promise<void> {
    if (this.#watching === uuid && this.#lease && !this.#lease.watch.ended) {
      return;
    }
    const d = this.#ctx.dataflows().find((x) => x.uuid === uuid);
    if (!d) throw new Error(`no running dataflow "${uuid}"`);
    this.#unwatch();
    this.#watching = uuid;
    const lease = await this.#ctx.pool.lease(d);
    if (this.#closed || this.#watching !== uuid) {
      lease.release();
      return;
    }
    this.#lease = lease;
    const w = lease.watch;
    this.#logs = [...w.recentLogs];
    this.#logsSkipped = 0;
    this.send({ t: "logs", records: [], skipped: 0, reset: true }, false);
    if (w.latest) this.send({ t: "snapshot", s: w.latest }, false);
    this.#unlisten = w.listen({
      snapshot: (s) => this.send({ t: "snapshot", s }),
      logs: (records) => {
        this.#logs.push(...records);
        if (this.#logs.length > LOG_BATCH * 4) {
          // More than the page can show: keep the newest.
          const extra = this.#logs.length - LOG_BATCH * 4;
          this.#logs.splice(0, extra);
          this.#logsSkipped += extra;
        }
      },
      ended: (reason) => this.send({ t: "ended", uuid, reason }, false),
      problem: (text) => this.send({ t: "note", text }),
    });
    if (w.ended) this.send({ t: "ended", uuid, reason: w.ended }, false);
  }

  /** Shows `topic` in the topic panel (null: none). */
  async showTopic(topic: string | null): Promise<void> {
    this.#tap?.close();
    this.#tap = undefined;
    this.#topic = topic ?? undefined;
    this.#topicRing = [];
    this.#topicLost = 0;
    if (topic === null) return;
    const w = this.#lease?.watch;
    if (!w) throw new Error("choose a dataflow first");
    const tap = await w.tap(
      topic,
      { maxBytes: TOPIC_MAX_BYTES, queueSize: 256 },
      (messages, lost) => {
        this.#topicLost += lost;
        this.#topicDirty = true;
        for (const m of messages) {
          this.#topicRing.push(m);
          if (this.#topicRing.length > TOPIC_RING) {
            this.#topicRing.shift();
            this.#topicLost++;
          }
        }
      },
    );
    if (this.#closed || this.#topic !== topic) {
      tap.close();
      return;
    }
    this.#tap = tap;
  }

  #flush(): void {
    if (!this.out.open) return;
    if (this.#logs.length > 0 || this.#logsSkipped > 0) {
      const records = this.#logs.splice(0, LOG_BATCH);
      if (
        this.out.send(
          JSON.stringify(
            {
              t: "logs",
              records,
              skipped: this.#logsSkipped,
            } satisfies UiServerMessage,
          ),
        )
      ) this.#logsSkipped = 0;
      else this.#logsSkipped += records.length;
    }
    if (this.#topic && this.#topicDirty) {
      const ring = this.#topicRing;
      this.#topicRing = [];
      this.#topicDirty = false;
      const points: UiPlotPoint[] = [];
      const messages: UiTopicMessage[] = [];
      for (let i = 0; i < ring.length; i++) {
        const d = decodeTapped(ring[i]!);
        const v = numericSeries(d.values);
        if (v) points.push({ t: Number(BigInt(d.ts) / 1_000_000n), v });
        if (i >= ring.length - TOPIC_TEXT_MESSAGES) {
          messages.push({
            ts: d.ts,
            type: d.type,
            len: d.len,
            size: d.size,
            text: d.text,
            complete: d.complete,
          });
        }
      }
      const sent = this.out.send(JSON.stringify(
        {
          t: "topic",
          topic: this.#topic,
          messages,
          points,
          lost: this.#topicLost,
        } satisfies UiServerMessage,
      ));
      this.#topicLost = sent ? 0 : this.#topicLost + ring.length;
    }
    const dropped = this.out.takeDropped();
    if (dropped > 0) {
      this.send({
        t: "note",
        text:
          `this page is behind: ${dropped} update(s) were skipped (its connection is slower than the dataflow)`,
      }, false);
    }
  }

  #unwatch(): void {
    this.#tap?.close();
    this.#tap = undefined;
    this.#topic = undefined;
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#lease?.release();
    this.#lease = undefined;
    this.#watching = undefined;
  }

  /** The page went away: gives everything back. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unwatch();
  }
}
