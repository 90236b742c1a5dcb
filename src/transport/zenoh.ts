/**
 * The zenoh transport: daemons publish cross-machine outputs on zenoh
 * through their local bridge (zenoh-ts over WebSocket), and subscribe only
 * to the outputs their nodes read. Keys (src/zenoh/keys.ts):
 * `dora/default/<df>/link/<tag>/<node>/<output>` carries an output's
 * messages and its close notice in order; `<tag>` comes from the dataflow's
 * secret, so the data of a dataflow flows where only its daemons look.
 *
 * Readiness handshake: before a daemon reports its part ready, it sends
 * probes on each cross-machine output until every receiving daemon acked
 * one on `.../@ack/<sender>`, so messages sent after the barrier find
 * their subscribers (zenoh drops what nobody subscribed to yet).
 *
 * Backpressure across machines: the credits a receiving daemon grants go to
 * the sending daemon on `.../@credit/<sender>` (see
 * runtime/delivery/remote_credits.ts), as over TCP.
 *
 * When the bridge connection breaks, sends are dropped and counted, the
 * cross-machine inputs are reported broken, and the session is reopened
 * (subscriptions declared again) once the bridge answers again. Messages and
 * credits of the outage are lost, so the credit windows start over: a
 * sending daemon back on its bridge probes its receivers again and then
 * resets its windows; a receiving daemon back on its bridge asks its
 * senders to (`.../@resync`) until their data arrives again.
 *
 * @module
 */
import {
  linkAckKey,
  linkCreditKey,
  linkOutputKey,
  linkPrefix,
  linkResyncKey,
  type ZenohSample,
  ZenohSession,
} from "../zenoh/mod.ts";
import type {
  DataAddress,
  DataTransport,
  InterDaemonHandler,
  InterDaemonMessage,
  LinkPlan,
  OutputRef,
} from "./types.ts";

/** How long the readiness handshake may take. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
/** Bytes queued towards the bridge beyond which sends are dropped (counted). */
const MAX_QUEUED_BYTES = 256 * 1024 * 1024;
/** Pause between tries to reopen a lost bridge session. */
const REOPEN_EVERY_MS = 1000;
/** Pause between a returning receiver's resync notices. */
const RESYNC_EVERY_MS = 500;
/** How many resync notices a returning receiver sends at most. */
const RESYNC_TRIES = 60;

/** A probe or ack of the readiness handshake (attachment JSON). */
interface Probe {
  t: "probe";
  from: string;
}

/** A receiving daemon's notice on `@resync` (attachment JSON). */
interface ResyncNotice {
  t: "resync";
  df: string;
  from: string;
}

interface Flow {
  df: string;
  prefix: string;
  plan?: LinkPlan;
  subs: { undeclare(): Promise<void> }[];
  /** Per output key, receiving daemons that have not acked yet. */
  pending: Map<string, Set<string>>;
  /** Per output key, every receiving daemon (to probe again after a loss). */
  receivers: Map<string, string[]>;
  handshake?: PromiseWithResolvers<void>;
  dropped: number;
  /** A message from a sending daemon arrived since the last reconnect. */
  heard: boolean;
}

/** Settings of {@link ZenohTransport}. */
export interface ZenohTransportOptions {
  /** The bridge's WebSocket endpoint, `ws/HOST:PORT`. */
  endpoint: string;
  onError?: (message: string) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * Daemon-to-daemon data over zenoh.
 *
 * @example
 * ```ts
 * const t = new ZenohTransport({ endpoint: "ws/127.0.0.1:10000" });
 * const me = await t.listen("", 0, (msg, payload) => console.log(msg));
 * ```
 */
export class ZenohTransport implements DataTransport {
  readonly kind = "zenoh";
  /** Credits go back to the sending daemon on its `@credit` key. */
  readonly credits = true;
  /** This daemon's id on zenoh (new for every process). */
  readonly id: string = crypto.randomUUID().replaceAll("-", "");
  readonly endpoint: string;
  #session?: ZenohSession;
  #onMessage: InterDaemonHandler = () => {};
  #onError: (message: string) => void;
  #flows = new Map<string, Flow>();
  #secrets = new Map<string, string>();
  #closed = false;
  #lastSent?: InterDaemonMessage;
  #overflowing = false;

  constructor(opts: ZenohTransportOptions) {
    this.endpoint = opts.endpoint;
    this.#onError = opts.onError ?? ((m) => console.error(m));
  }

  /**
   * Opens the session on the bridge (host and port are not used: zenoh
   * routes by key). Resolves to this daemon's zenoh address.
   *
   * @throws {import("../zenoh/mod.ts").ZenohUnreachableError} no bridge answers.
   * @throws {import("../zenoh/mod.ts").ZenohVersionError} the bridge is of another version.
   */
  async listen(
    _host: string,
    _port: number,
    onMessage: InterDaemonHandler,
  ): Promise<DataAddress> {
    this.#onMessage = onMessage;
    this.#session = await ZenohSession.open(this.endpoint);
    this.#watch(this.#session);
    return { host: this.id, port: 0, transport: "zenoh" };
  }

  /** The bridge's version (once listening). */
  get bridgeVersion(): string | undefined {
    return this.#session?.bridgeVersion;
  }

  authorize(df: string, secret: string): void {
    this.#secrets.set(df, secret);
    if (!this.#flows.has(df)) {
      this.#flows.set(df, {
        df,
        prefix: linkPrefix(df, secret),
        subs: [],
        pending: new Map(),
        receivers: new Map(),
        dropped: 0,
        heard: false,
      });
    }
  }

  async open(df: string, plan: LinkPlan): Promise<void> {
    const flow = this.#flows.get(df);
    if (!flow) throw new Error(`dataflow ${df} was not authorized here`);
    flow.plan = plan;
    for (const s of plan.send) {
      const ids = s.peers.filter((p) => p.transport === "zenoh").map((p) =>
        p.host
      );
      if (ids.length < s.peers.length) {
        throw new Error(
          `output ${s.node}/${s.output} goes to a daemon that does not use zenoh (every daemon of a dataflow must use the same transport)`,
        );
      }
      const key = linkOutputKey(flow.prefix, s.node, s.output);
      flow.receivers.set(key, ids);
      flow.pending.set(key, new Set(ids));
    }
    await this.#declare(flow);
    if (flow.pending.size === 0) return;
    flow.handshake = Promise.withResolvers<void>();
    this.#probe(flow);
    return flow.handshake.promise;
  }

  /**
   * Subscribes to the outputs `plan` receives that were not received yet.
   * Subscriptions are kept when an edge goes (a change rolled back or
   * made again never subscribes twice; nothing reads what still arrives).
   */
  async replan(df: string, plan: LinkPlan): Promise<void> {
    const flow = this.#flows.get(df);
    if (!flow) return;
    const had = flow.plan?.receive ?? [];
    const fresh = plan.receive.filter((r) =>
      !had.some((o) => o.node === r.node && o.output === r.output)
    );
    // A session reopened later declares the whole plan.
    flow.plan = { ...plan, receive: [...had, ...fresh] };
    const session = this.#session;
    if (!session || session.isClosed) return;
    for (const r of fresh) {
      const key = linkOutputKey(flow.prefix, r.node, r.output);
      flow.subs.push(
        await session.subscribe(key, (s) => this.#onSample(flow, r, s)),
      );
    }
  }

  /** Declares the subscribers of `flow` on the current session. */
  async #declare(flow: Flow): Promise<void> {
    const session = this.#session;
    if (!session || session.isClosed || !flow.plan) return;
    const subs = [];
    for (const r of flow.plan.receive) {
      const key = linkOutputKey(flow.prefix, r.node, r.output);
      subs.push(
        await session.subscribe(key, (s) => this.#onSample(flow, r, s)),
      );
    }
    if (flow.plan.send.length) {
      subs.push(
        await session.subscribe(
          linkAckKey(flow.prefix, this.id),
          (s) => this.#onAck(flow, s),
        ),
        await session.subscribe(
          linkCreditKey(flow.prefix, this.id),
          (s) => this.#onCredit(flow, s),
        ),
        await session.subscribe(
          linkResyncKey(flow.prefix),
          (s) => this.#onResync(flow, s),
        ),
      );
    }
    flow.subs = subs;
  }

  /** Probes the outputs with unacked receivers until all acked or timeout. */
  async #probe(flow: Flow): Promise<void> {
    const deadline = Date.now() + HANDSHAKE_TIMEOUT_MS;
    const probe = encoder.encode(
      JSON.stringify({ t: "probe", from: this.id } satisfies Probe),
    );
    let pause = 10;
    while (flow.pending.size > 0 && this.#flows.get(flow.df) === flow) {
      if (Date.now() > deadline) {
        const missing = [...flow.pending.keys()].map((k) =>
          k.slice(flow.prefix.length + 1)
        );
        flow.handshake?.reject(
          new Error(
            `no answer over zenoh from the daemons receiving ${
              missing.join(", ")
            } within ${
              HANDSHAKE_TIMEOUT_MS / 1000
            }s: are the zenoh bridges of the machines linked (--zenoh-connect)?`,
          ),
        );
        return;
      }
      const session = this.#session;
      if (session && !session.isClosed) {
        for (const key of flow.pending.keys()) {
          session.put(key, EMPTY, { attachment: probe }).catch(() => {});
        }
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 200);
    }
    flow.handshake?.resolve();
  }

  #onAck(flow: Flow, s: ZenohSample): void {
    try {
      const ack = JSON.parse(decoder.decode(s.payload)) as {
        key: string;
        from: string;
      };
      const waiting = flow.pending.get(ack.key);
      if (!waiting) return;
      waiting.delete(ack.from);
      if (waiting.size === 0) flow.pending.delete(ack.key);
      if (flow.pending.size === 0) flow.handshake?.resolve();
    } catch {
      // not an ack of ours
    }
  }

  /** A credit from a receiving daemon: for this daemon's runtime. */
  #onCredit(flow: Flow, s: ZenohSample): void {
    const msg = parseHeader(s.attachment);
    if (msg?.t !== "credit" || msg.df !== flow.df) return;
    this.#onMessage(msg, null);
  }

  /** A receiving daemon is back on its bridge: start the windows over. */
  #onResync(flow: Flow, s: ZenohSample): void {
    const notice = parseHeader(s.attachment) as ResyncNotice | undefined;
    if (
      notice?.t !== "resync" || notice.df !== flow.df ||
      notice.from === this.id
    ) return;
    this.#onMessage({ t: "resync", df: flow.df }, null);
  }

  #onSample(flow: Flow, from: OutputRef, s: ZenohSample): void {
    if (!s.attachment) return;
    let header: InterDaemonMessage | Probe;
    try {
      header = JSON.parse(decoder.decode(s.attachment));
    } catch {
      this.#onError(
        `ignored a zenoh message on ${s.key} without a dora header`,
      );
      return;
    }
    if (header.t === "credit") return;
    if (header.t === "probe") {
      const ack = { key: s.key, from: this.id };
      this.#session?.put(
        linkAckKey(flow.prefix, header.from),
        encoder.encode(JSON.stringify(ack)),
      ).catch(() => {});
      return;
    }
    // The key names the dataflow and output; the header must agree.
    if (
      header.t === "resync" ||
      header.df !== flow.df || header.node !== from.node ||
      (header.t === "output"
        ? header.output !== from.output
        : header.outputs.length !== 1 || header.outputs[0] !== from.output)
    ) return;
    flow.heard = true;
    this.#onMessage(
      header,
      header.t === "output" && header.d !== undefined ? s.payload : null,
    );
  }

  async release(df: string): Promise<void> {
    this.#secrets.delete(df);
    const flow = this.#flows.get(df);
    this.#flows.delete(df);
    if (!flow) return;
    flow.handshake?.resolve();
    await this.#session?.flush().catch(() => {});
    await Promise.all(flow.subs.map((s) => s.undeclare().catch(() => {})));
  }

  send(
    peer: DataAddress,
    msg: InterDaemonMessage,
    payload?: Uint8Array | null,
  ): void {
    if (msg.t === "credit") return this.#sendCredit(peer, msg);
    if (msg.t === "resync") return;
    // One publication reaches every receiving daemon.
    if (msg === this.#lastSent) return;
    this.#lastSent = msg;
    const flow = this.#flows.get(msg.df);
    if (!flow) return;
    const session = this.#session;
    if (!session || session.isClosed) {
      flow.dropped++;
      return;
    }
    if (session.queuedBytes > MAX_QUEUED_BYTES) {
      flow.dropped++;
      if (!this.#overflowing) {
        this.#overflowing = true;
        this.#onError(
          `the zenoh bridge at ${this.endpoint} takes data slower than dataflow ${msg.df} sends it: dropping messages while more than ${
            MAX_QUEUED_BYTES >> 20
          } MiB wait`,
        );
      }
      return;
    }
    this.#overflowing = false;
    if (msg.t === "output") {
      session.put(
        linkOutputKey(flow.prefix, msg.node, msg.output),
        payload ?? EMPTY,
        { attachment: encoder.encode(JSON.stringify(msg)) },
      ).catch(() => {});
      return;
    }
    // A close notice goes on each closed output's key, behind its data.
    for (const o of msg.outputs) {
      const one: InterDaemonMessage = { ...msg, outputs: [o] };
      session.put(linkOutputKey(flow.prefix, msg.node, o), EMPTY, {
        attachment: encoder.encode(JSON.stringify(one)),
      }).catch(() => {});
    }
  }

  /** Credits to one sending daemon, on its own key (lost while the bridge is gone). */
  #sendCredit(peer: DataAddress, msg: InterDaemonMessage): void {
    const flow = this.#flows.get(msg.df);
    const session = this.#session;
    if (!flow || !session || session.isClosed) return;
    session.put(linkCreditKey(flow.prefix, peer.host), EMPTY, {
      attachment: encoder.encode(JSON.stringify(msg)),
    }).catch(() => {});
  }

  /**
   * After a new session: as a sender, probe the receivers again and, once
   * they answer (the bridges are linked again), start the credit windows
   * over; as a receiver, ask the senders to do the same.
   */
  async #resync(flow: Flow): Promise<void> {
    flow.heard = false;
    if (flow.plan?.receive.length) this.#announceResync(flow);
    if (!flow.receivers.size) return;
    for (const [key, ids] of flow.receivers) {
      flow.pending.set(key, new Set(ids));
    }
    // A start still waiting for its handshake waits for this one.
    const earlier = flow.handshake;
    const handshake = Promise.withResolvers<void>();
    if (earlier) handshake.promise.then(earlier.resolve, earlier.reject);
    flow.handshake = handshake;
    this.#probe(flow);
    try {
      await handshake.promise;
    } catch (err) {
      this.#onError(
        `after reconnecting: ${err instanceof Error ? err.message : err}`,
      );
    }
    if (this.#flows.get(flow.df) !== flow || this.#closed) return;
    this.#onMessage({ t: "resync", df: flow.df }, null);
  }

  /**
   * Publishes resync notices until a sender's data arrives (the link is up
   * again), then once more over the working link; at most
   * {@link RESYNC_TRIES} times.
   */
  async #announceResync(flow: Flow): Promise<void> {
    const notice = encoder.encode(
      JSON.stringify(
        { t: "resync", df: flow.df, from: this.id } satisfies ResyncNotice,
      ),
    );
    for (let i = 0; i < RESYNC_TRIES; i++) {
      if (this.#closed || this.#flows.get(flow.df) !== flow) return;
      const linked = flow.heard;
      const session = this.#session;
      if (session && !session.isClosed) {
        session.put(linkResyncKey(flow.prefix), EMPTY, { attachment: notice })
          .catch(() => {});
      }
      if (linked) return;
      await new Promise((r) => setTimeout(r, RESYNC_EVERY_MS));
    }
  }

  async flush(_peer: DataAddress): Promise<void> {
    await this.#session?.flush().catch(() => {});
  }

  /** Reports a lost bridge and reopens the session when it is back. */
  async #watch(session: ZenohSession): Promise<void> {
    await session.closed;
    if (this.#closed) return;
    const broken = [...this.#flows.values()].flatMap((f) =>
      (f.plan?.receive ?? []).map((r) => `${r.node}/${r.output}`)
    );
    this.#onError(
      `lost the zenoh bridge at ${this.endpoint}; ${
        broken.length
          ? `cross-machine inputs from ${
            broken.join(", ")
          } get nothing until it is back`
          : "no cross-machine input is affected"
      }; reconnecting`,
    );
    while (!this.#closed) {
      await new Promise((r) => setTimeout(r, REOPEN_EVERY_MS));
      if (this.#closed) return;
      let next: ZenohSession;
      try {
        next = await ZenohSession.open(this.endpoint);
      } catch {
        continue;
      }
      if (this.#closed) {
        await next.close();
        return;
      }
      this.#session = next;
      for (const f of this.#flows.values()) {
        await this.#declare(f).catch((err) =>
          this.#onError(`resubscribing dataflow ${f.df}: ${err}`)
        );
      }
      const dropped = [...this.#flows.values()].map((f) => {
        const n = f.dropped;
        f.dropped = 0;
        return n;
      }).reduce((a, b) => a + b, 0);
      this.#onError(
        `reconnected to the zenoh bridge at ${this.endpoint}; subscriptions declared again${
          dropped ? `; ${dropped} message(s) sent meanwhile were dropped` : ""
        }`,
      );
      for (const f of this.#flows.values()) this.#resync(f);
      this.#watch(next);
      return;
    }
  }

  close(): void {
    this.#closed = true;
    for (const f of this.#flows.values()) f.handshake?.resolve();
    this.#flows.clear();
    this.#session?.close().catch(() => {});
  }
}

/** The JSON header in a sample's attachment, if it is one. */
function parseHeader(
  attachment: Uint8Array | undefined,
): InterDaemonMessage | undefined {
  if (!attachment) return undefined;
  try {
    return JSON.parse(decoder.decode(attachment));
  } catch {
    return undefined;
  }
}
