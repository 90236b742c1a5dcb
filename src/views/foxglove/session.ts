/**
 * One Foxglove client: its subscriptions (each a viewer of the shared tap
 * of an output), its parameter subscriptions, and its own bounded queue. A
 * message larger than the size cap is skipped, a client that reads slower
 * than the dataflow writes loses messages (never the dataflow), and both
 * are said in a `status` message every few seconds. Everything it holds is
 * given back when the client goes away, however it goes.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import type { WireTapMessage } from "../../inspect/mod.ts";
import type { Outbox } from "../outbox.ts";
import type { TapHandle } from "../watch.ts";
import { encodeMessage } from "./encoding.ts";
import type { FeedChannel, FoxgloveFeed } from "./feed.ts";
import {
  type ClientMessage,
  messageData,
  type Parameter,
  type ServerMessage,
  StatusLevel,
} from "./protocol.ts";

/** Limits of one client. */
export interface SessionLimits {
  /** Messages larger than this are skipped (with a note). */
  maxMessageBytes: number;
  /** Subscriptions one client may hold. */
  maxSubscriptions: number;
}

/** How often a client is told what it lost. */
const NOTE_MS = 2000;
/** How often subscribed parameters are read again. */
const PARAM_POLL_MS = 1000;

/** Encoded message bytes, shared by the clients subscribed to one output. */
const encoded = new WeakMap<WireTapMessage, Uint8Array>();

/** One connected Foxglove client. */
export class FoxgloveSession {
  readonly out: Outbox;
  readonly limits: SessionLimits;
  #feed?: FoxgloveFeed;
  #subs = new Map<number, { channelId: number; handle?: TapHandle }>();
  #tooBig = new Map<string, number>();
  #lost = new Map<string, number>();
  #paramNames = new Set<string>();
  #paramAll = false;
  #paramValues = new Map<string, string>();
  #graph = false;
  #noteTimer: ReturnType<typeof setInterval>;
  #paramTimer?: ReturnType<typeof setInterval>;
  #closed = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(out: Outbox, limits: SessionLimits) {
    this.out = out;
    this.limits = limits;
    this.#noteTimer = setInterval(() => this.#note(), NOTE_MS);
  }

  /** Sends a text message (control messages are never skipped). */
  send(msg: ServerMessage, skippable = false): void {
    this.out.send(JSON.stringify(msg), skippable);
  }

  /** Reports a problem to the client. */
  status(level: number, message: string, id?: string): void {
    this.send({ op: "status", level, message, ...(id ? { id } : {}) });
  }

  /** Serves `feed` (advertises its channels); null: nothing to serve now. */
  attach(feed: FoxgloveFeed | null, why?: string): void {
    if (this.#feed) {
      const ids = [...this.#feed.channels.keys()];
      for (const sub of this.#subs.values()) sub.handle?.close();
      this.#subs.clear();
      if (ids.length) this.send({ op: "unadvertise", channelIds: ids });
    }
    this.#feed = feed ?? undefined;
    if (!feed) {
      if (why) this.status(StatusLevel.WARNING, why, "dora.dataflow");
      return;
    }
    this.send({ op: "removeStatus", statusIds: ["dora.dataflow"] });
    if (feed.tapProblem) {
      this.status(StatusLevel.ERROR, feed.tapProblem, "dora.tap");
    }
    const channels = [...feed.channels.values()].map((c) => c.channel);
    if (channels.length) this.send({ op: "advertise", channels });
    if (this.#graph) this.send(feed.connectionGraph());
  }

  /** The feed served now. */
  get feed(): FoxgloveFeed | undefined {
    return this.#feed;
  }

  /** Handles a text frame. */
  receive(text: string): void {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(text) as ClientMessage;
    } catch {
      this.status(StatusLevel.ERROR, "a text message that is not JSON");
      return;
    }
    this.#queue = this.#queue.then(() => this.#handle(msg)).catch((err) =>
      this.status(StatusLevel.ERROR, errorMessage(err))
    );
  }

  async #handle(msg: ClientMessage): Promise<void> {
    if (this.#closed) return;
    switch (msg.op) {
      case "subscribe":
        for (const s of msg.subscriptions ?? []) {
          await this.#subscribe(Number(s.id), Number(s.channelId));
        }
        return;
      case "unsubscribe":
        for (const id of msg.subscriptionIds ?? []) {
          this.#subs.get(Number(id))?.handle?.close();
          this.#subs.delete(Number(id));
        }
        return;
      case "getParameters": {
        const params = await this.#requireFeed().getParameters(
          (msg.parameterNames ?? []).map(String),
        );
        this.send({
          op: "parameterValues",
          parameters: params,
          ...(msg.id !== undefined ? { id: String(msg.id) } : {}),
        });
        return;
      }
      case "setParameters": {
        const feed = this.#requireFeed();
        const set: Parameter[] = msg.parameters ?? [];
        const failed: string[] = [];
        for (const p of set) {
          try {
            await feed.setParameter({ name: String(p.name), value: p.value });
          } catch (err) {
            failed.push(`"${p.name}": ${errorMessage(err)}`);
          }
        }
        if (failed.length) {
          this.status(
            StatusLevel.ERROR,
            `could not set ${failed.join("; ")}`,
          );
        }
        if (msg.id !== undefined) {
          const names = set.map((p) => String(p.name));
          const now = await feed.getParameters(names);
          this.send({
            op: "parameterValues",
            parameters: now,
            id: String(msg.id),
          });
        }
        await this.#pollParams();
        return;
      }
      case "subscribeParameterUpdates":
        if ((msg.parameterNames ?? []).length === 0) this.#paramAll = true;
        for (const n of msg.parameterNames ?? []) this.#paramNames.add(n);
        await this.#pollParams(true);
        this.#paramTimer ??= setInterval(
          () => this.#pollParams().catch(() => {}),
          PARAM_POLL_MS,
        );
        return;
      case "unsubscribeParameterUpdates":
        if ((msg.parameterNames ?? []).length === 0) this.#paramAll = false;
        for (const n of msg.parameterNames ?? []) this.#paramNames.delete(n);
        if (!this.#paramAll && this.#paramNames.size === 0) {
          clearInterval(this.#paramTimer);
          this.#paramTimer = undefined;
        }
        return;
      case "subscribeConnectionGraph":
        this.#graph = true;
        if (this.#feed) this.send(this.#feed.connectionGraph());
        return;
      case "unsubscribeConnectionGraph":
        this.#graph = false;
        return;
      default:
        this.status(
          StatusLevel.ERROR,
          `operation "${
            (msg as { op?: unknown }).op
          }" is not supported by this server`,
        );
    }
  }

  #requireFeed(): FoxgloveFeed {
    if (!this.#feed) throw new Error("no dataflow is being served now");
    return this.#feed;
  }

  async #subscribe(id: number, channelId: number): Promise<void> {
    const feed = this.#requireFeed();
    const ch = feed.channels.get(channelId);
    if (!ch) throw new Error(`no channel ${channelId}`);
    if (this.#subs.has(id)) throw new Error(`subscription ${id} exists`);
    if (this.#subs.size >= this.limits.maxSubscriptions) {
      throw new Error(
        `too many subscriptions (at most ${this.limits.maxSubscriptions} per client)`,
      );
    }
    const sub: { channelId: number; handle?: TapHandle } = { channelId };
    this.#subs.set(id, sub);
    const max = this.limits.maxMessageBytes;
    // Copies kept by the dataflow's tap: fewer for bigger messages, so one
    // tap holds at most ~64 MiB.
    const queueSize = Math.max(2, Math.min(256, Math.floor((64 << 20) / max)));
    const handle = await feed.lease.watch.tap(
      ch.topic,
      { maxBytes: max, queueSize },
      (messages, lost) => this.#deliver(id, ch, messages, lost),
    );
    if (this.#closed || this.#subs.get(id) !== sub) handle.close();
    else sub.handle = handle;
  }

  #deliver(
    id: number,
    ch: FeedChannel,
    messages: WireTapMessage[],
    lost: number,
  ): void {
    if (lost) this.#count(this.#lost, ch.topic, lost);
    for (const m of messages) {
      if (!this.#subs.has(id)) return;
      const have = m.b ? Math.floor(m.b.length * 3 / 4) : 0;
      if (m.size > this.limits.maxMessageBytes || (m.d && have < m.size)) {
        this.#count(this.#tooBig, ch.topic, 1);
        continue;
      }
      let bytes = encoded.get(m);
      if (!bytes) {
        try {
          bytes = encodeMessage(
            ch.encoding.kind,
            m.d,
            m.b ? Uint8Array.fromBase64(m.b) : new Uint8Array(0),
            ch.node,
            BigInt(m.ts),
          );
        } catch (err) {
          this.status(
            StatusLevel.WARNING,
            `a message of "${ch.topic}" could not be decoded: ${
              errorMessage(err)
            }`,
            `dora.decode.${ch.topic}`,
          );
          continue;
        }
        encoded.set(m, bytes);
      }
      if (!this.out.send(messageData(id, BigInt(m.ts), bytes))) {
        this.#count(this.#lost, ch.topic, 1);
      }
    }
  }

  #count(map: Map<string, number>, topic: string, n: number): void {
    map.set(topic, (map.get(topic) ?? 0) + n);
  }

  #note(): void {
    this.out.takeDropped();
    const parts: string[] = [];
    for (const [t, n] of this.#lost) {
      parts.push(
        `${n} message(s) of "${t}" lost (this connection is slower than the dataflow)`,
      );
    }
    for (const [t, n] of this.#tooBig) {
      parts.push(
        `${n} message(s) of "${t}" skipped: larger than ${this.limits.maxMessageBytes} bytes (raise --max-message-bytes)`,
      );
    }
    this.#lost.clear();
    this.#tooBig.clear();
    if (parts.length) {
      this.status(StatusLevel.WARNING, parts.join("; "), "dora.dropped");
    }
  }

  async #pollParams(all = false): Promise<void> {
    const feed = this.#feed;
    if (!feed || (!this.#paramAll && this.#paramNames.size === 0)) return;
    const params = await feed.getParameters(
      this.#paramAll ? [] : [...this.#paramNames],
    );
    const changed: Parameter[] = [];
    const names = new Set<string>();
    for (const p of params) {
      names.add(p.name);
      const json = JSON.stringify(p.value);
      if (all || this.#paramValues.get(p.name) !== json) changed.push(p);
      this.#paramValues.set(p.name, json);
    }
    // A deleted parameter is sent without a value.
    for (const name of [...this.#paramValues.keys()]) {
      if (!names.has(name)) {
        this.#paramValues.delete(name);
        changed.push({ name });
      }
    }
    if (changed.length) {
      this.send({ op: "parameterValues", parameters: changed });
    }
  }

  /** The client went away: gives every tap back. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#noteTimer);
    clearInterval(this.#paramTimer);
    for (const s of this.#subs.values()) s.handle?.close();
    this.#subs.clear();
  }
}
