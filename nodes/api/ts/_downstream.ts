/**
 * The sender side of direct delivery (docs/protocol.md, "Direct delivery"):
 * the node listens on its `listen` socket, its receivers connect there and
 * say `link`, and each message of an output is written to every direct
 * receiver the daemon's `routes` name (and to the daemon when the route says
 * so). Per receiver node one {@link LinkWriter} keeps the frames in order,
 * also while that receiver is not connected yet or restarting. The
 * shared-memory regions lent to receivers come back over their links. The
 * Python node API's counterpart is `_downstream.py`.
 *
 * @module
 */
import {
  asReceiverToSender,
  FrameReader,
  FrameWriter,
  linkKey,
  type OutputRoute,
  PROTOCOL_VERSION,
  sameSecret,
} from "../../../src/message/mod.ts";
import { LinkWriter } from "./_link_writer.ts";
import { shmCalls } from "../../../src/shm/shm_calls.ts";

/** One direct receiver of an output, resolved for the hot path. */
export interface Target {
  link: ReceiverLink;
  slot: number;
  /** `JSON.stringify(input id)`. */
  idJson: string;
  /** The UTF-8 bytes of the input id. */
  idBytes: Uint8Array;
  /** The receiver maps shared memory. */
  shm: boolean;
}

/** Where one output goes, resolved. */
export interface ResolvedRoute {
  daemon: boolean;
  targets: Target[];
}

/** Everything goes to the daemon (no `routes` yet, or an unknown output). */
export const VIA_DAEMON: ResolvedRoute = { daemon: true, targets: [] };

/** Yields the CPU after a lone write, where native calls are allowed. */
function yieldCpu(): void {
  shmCalls()?.yieldCpu();
}

/** The link to one receiver node. */
export class ReceiverLink {
  readonly node: string;
  /** Frames for the receiver's current (or next) process. */
  writer: LinkWriter;
  /** The `pid` the connected process said in its `link`. */
  pid?: number;
  /** Input id → slot of the writer. */
  readonly slots = new Map<string, number>();
  /** Input of each slot (for counting what was lost). */
  readonly slotInputs: string[] = [];
  /** Tokens lent to this receiver (written or pending) and not released. */
  readonly held = new Map<string, number>();
  conn: Deno.UnixConn | null = null;
  /** Still named by the routes (else its pending frames are discarded). */
  routed = true;
  /** The slot of `input_closed` frames (never dropped). */
  readonly controlSlot: number;

  constructor(node: string, writer: LinkWriter) {
    this.node = node;
    this.writer = writer;
    this.controlSlot = writer.slot(0, true);
  }

  /** The writer slot of `input`, created (or updated) with its policy. */
  slotFor(input: string, queueSize: number, backpressure: boolean): number {
    let slot = this.slots.get(input);
    if (slot === undefined) {
      slot = this.writer.slot(queueSize, backpressure);
      this.slots.set(input, slot);
      this.slotInputs[slot] = input;
    } else this.writer.setSlot(slot, queueSize, backpressure);
    return slot;
  }
}

/** What the downstream side tells its owner. */
export interface DownstreamHooks {
  /** Every holder of `token` released it: the region may be reused. */
  release(token: string): void;
  /** Messages to `receiver`'s `input` dropped here (drop_oldest while pending). */
  lost(receiver: string, input: string): void;
  /** Messages for `receiver` that can no longer be delivered. */
  undelivered(receiver: string, count: number): void;
  warn(message: string): void;
}

/** The links of one sender to its receivers. */
export class Downstream {
  #df: string;
  #hooks: DownstreamHooks;
  #listener: Deno.Listener | null = null;
  #links = new Map<string, ReceiverLink>();
  /** Holders left per lent token (links and the daemon). */
  #holders = new Map<string, number>();
  #routes = new Map<string, ResolvedRoute>();
  #closed = false;
  /** Receiver processes being replaced (`node\0pid`): they get the mark only. */
  #handedOver = new Set<string>();
  /** Writers finishing a replaced process's link (up to its mark). */
  #finishing = new Set<LinkWriter>();

  /** This process's secret: receivers must link with a key derived from it. */
  #secret: string | undefined;

  constructor(df: string, hooks: DownstreamHooks, secret?: string) {
    this.#df = df;
    this.#hooks = hooks;
    this.#secret = secret;
  }

  /**
   * Listens on `path` for receivers; false (the daemon then relays every
   * output) when the socket cannot be made, e.g. without the permission.
   */
  listen(path: string): boolean {
    try {
      try {
        Deno.removeSync(path);
      } catch {
        // no stale socket
      }
      this.#listener = Deno.listen({ transport: "unix", path });
    } catch (e) {
      this.#hooks.warn(
        `cannot listen for direct receivers at ${path} (${
          (e as Error).message
        }); messages go through the daemon`,
      );
      return false;
    }
    this.#listener.unref();
    this.#accept(this.#listener);
    return true;
  }

  /** The resolved route of `output` (the daemon only, until told otherwise). */
  route(output: string): ResolvedRoute {
    return this.#routes.get(output) ?? VIA_DAEMON;
  }

  /** Takes the daemon's `routes.out`: the whole table, replacing the previous one. */
  setRoutes(out: Record<string, OutputRoute>): void {
    const used = new Set<string>();
    const routes = new Map<string, ResolvedRoute>();
    const before = new Set<Target>();
    for (const r of this.#routes.values()) {
      for (const t of r.targets) before.add(t);
    }
    for (const [output, r] of Object.entries(out)) {
      const targets: Target[] = [];
      for (const t of r.to) {
        const link = this.#link(t.node);
        link.routed = true;
        used.add(t.node);
        targets.push({
          link,
          slot: link.slotFor(
            t.input,
            t.queue_size,
            t.queue_policy === "backpressure",
          ),
          idJson: JSON.stringify(t.input),
          idBytes: new TextEncoder().encode(t.input),
          shm: t.shm,
        });
      }
      routes.set(output, { daemon: r.daemon, targets });
    }
    this.#routes = routes;
    // A route taken away is closed on its link, behind what it carried.
    const kept = new Set<string>();
    for (const r of routes.values()) {
      for (const t of r.targets) kept.add(`${t.link.node}\0${t.idJson}`);
    }
    for (const t of before) {
      if (kept.has(`${t.link.node}\0${t.idJson}`) || !used.has(t.link.node)) {
        continue;
      }
      t.link.writer.push(
        t.link.controlSlot,
        `{"t":"input_closed","id":${t.idJson}}`,
        null,
      );
      t.link.writer.kick();
    }
    // Receivers no longer routed: what waits for them is undeliverable.
    for (const link of this.#links.values()) {
      if (used.has(link.node) || !link.routed) continue;
      link.routed = false;
      const { tokens, frames } = link.writer.discard();
      if (frames > 0) this.#hooks.undelivered(link.node, frames);
      for (const t of tokens) this.#unhold(link, t);
      this.#drop(link);
    }
  }

  /**
   * The daemon's `hand_over`: receiver `node`'s process `pid` is being
   * replaced. Its link gets what was sent so far, then `handed_over`, and
   * nothing more; what follows waits for the next process.
   */
  handOver(node: string, pid: number): void {
    this.#handedOver.add(`${node}\0${pid}`);
    const link = this.#links.get(node);
    if (!link?.conn || link.pid !== pid || !link.writer.attached) return;
    const old = link.writer;
    link.writer = old.fresh();
    old.push(link.controlSlot, `{"t":"handed_over"}`, null);
    old.kick();
    this.#finishing.add(old);
    old.flush().then(() => this.#finishing.delete(old));
  }

  /** Records that `count` holders (links, the daemon) got `token`. */
  lend(token: string, count: number): void {
    if (count === 0) this.#hooks.release(token);
    else this.#holders.set(token, count);
  }

  /** `link` got a frame with `token` (it holds it until it releases it). */
  hold(link: ReceiverLink, token: string): void {
    link.held.set(token, (link.held.get(token) ?? 0) + 1);
  }

  /** One holder (a link, or the daemon) released `token`. */
  release(token: string): void {
    const n = this.#holders.get(token);
    if (n === undefined) return;
    if (n > 1) this.#holders.set(token, n - 1);
    else {
      this.#holders.delete(token);
      this.#hooks.release(token);
    }
  }

  /**
   * Resolves once every routed receiver has linked, or after `timeoutMs`
   * (a receiver that is slow to start gets what waits for it later). At
   * start-up every receiver links right after its routes, before `ready`.
   */
  async attached(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && !this.#closed) {
      let all = true;
      for (const l of this.#links.values()) {
        if (l.routed && !l.conn) all = false;
      }
      if (all) return;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Pending bytes of every link (the sender waits above a limit). */
  get buffered(): number {
    let n = 0;
    for (const l of this.#links.values()) n += l.writer.buffered;
    return n;
  }

  /** Resolves once every connected receiver has every frame written. */
  async flush(): Promise<void> {
    await Promise.all([
      ...[...this.#links.values()].map((l) => l.writer.flush()),
      ...[...this.#finishing].map((w) => w.flush()),
    ]);
  }

  /**
   * The node is closing: what waits for receivers that are not connected
   * (still starting, or restarting) goes to the daemon, which delivers it
   * in order like the link would have (`relay`). The tokens those frames
   * lend are the daemon's to release from then on.
   */
  relayPending(send: (receiver: string, frames: Uint8Array) => void): void {
    for (const link of this.#links.values()) {
      if (
        link.writer.attached || !link.routed || link.writer.buffered === 0
      ) continue;
      const { bytes, tokens } = link.writer.takePending();
      if (bytes.length === 0) continue;
      send(link.node, bytes);
      // The daemon took these frames over: this link no longer holds them.
      for (const t of tokens) {
        const n = link.held.get(t) ?? 0;
        if (n > 1) link.held.set(t, n - 1);
        else link.held.delete(t);
      }
    }
  }

  /** Stops listening and closes every link (the node is closing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener?.close();
    } catch {
      // already closed
    }
    for (const link of this.#links.values()) this.#drop(link);
  }

  #unhold(link: ReceiverLink, token: string): void {
    const n = link.held.get(token);
    if (n === undefined) return;
    if (n > 1) link.held.set(token, n - 1);
    else link.held.delete(token);
    this.release(token);
  }

  #link(node: string): ReceiverLink {
    let link = this.#links.get(node);
    if (!link) {
      const writer: LinkWriter = new LinkWriter({
        onDrop: (slot, token) => {
          this.#hooks.lost(node, link!.slotInputs[slot]);
          if (token !== undefined) this.#unhold(link!, token);
        },
        onLost: () => {},
        afterLoneWrite: yieldCpu,
      });
      link = new ReceiverLink(node, writer);
      this.#links.set(node, link);
    }
    return link;
  }

  /** Closes the link's connection (its receiver goes on without us). */
  #drop(link: ReceiverLink): void {
    const conn = link.conn;
    link.conn = null;
    link.writer.detach();
    try {
      conn?.close();
    } catch {
      // already closed
    }
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        this.#serve(conn as Deno.UnixConn).catch(() => {});
      }
    } catch {
      // closed
    }
  }

  /** One receiver's connection: its `link`, then its `release` frames. */
  async #serve(conn: Deno.UnixConn): Promise<void> {
    conn.unref();
    const reader = new FrameReader(conn, 64 * 1024);
    let link: ReceiverLink | undefined;
    try {
      const first = await reader.next();
      if (!first) return;
      const hello = asReceiverToSender(first.header);
      if (hello.t !== "link") return;
      if (hello.df !== this.#df || hello.v !== PROTOCOL_VERSION) {
        const w = new FrameWriter(conn);
        w.push({
          t: "error",
          message: hello.df !== this.#df
            ? `link from node "${hello.node}" of dataflow ${hello.df}, not ${this.#df}`
            : `protocol version mismatch: receiver speaks ${hello.v}, sender speaks ${PROTOCOL_VERSION}`,
        });
        await w.flush().catch(() => {});
        return;
      }
      // Only the node the daemon gave the key to may link as `hello.node`.
      if (
        this.#secret !== undefined &&
        !sameSecret(hello.key, await linkKey(this.#secret, hello.node))
      ) {
        const w = new FrameWriter(conn);
        w.push({
          t: "error",
          message:
            `link as node "${hello.node}" refused: wrong or missing link key`,
        });
        await w.flush().catch(() => {});
        this.#hooks.warn(
          `refused a link that claimed to come from node "${hello.node}" (wrong or missing link key)`,
        );
        return;
      }
      if (this.#closed) return;
      link = this.#link(hello.node);
      if (this.#handedOver.has(`${hello.node}\0${hello.pid}`)) {
        // A process being replaced: nothing more is written to it.
        const w = new FrameWriter(conn);
        w.push({ t: "handed_over" });
        await w.flush();
      } else {
        // A new incarnation replaces the old one's connection.
        this.#gone(link);
        link.conn = conn;
        link.pid = hello.pid;
        link.writer.attach(conn);
      }
      for (let f = await reader.next(); f; f = await reader.next()) {
        const h = asReceiverToSender(f.header);
        if (h.t !== "release") continue;
        for (const t of h.tokens) this.#unhold(link, t);
      }
    } catch {
      // a receiver that breaks the protocol or resets is treated as gone
    } finally {
      if (link && link.conn === conn) {
        link.conn = null;
        link.writer.detach();
        this.#gone(link);
      }
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  /**
   * The receiver's process is gone: it releases nothing more, except what
   * still waits in the writer (that goes to its next incarnation).
   */
  #gone(link: ReceiverLink): void {
    const pending = link.writer.pendingTokens();
    for (const [token, n] of [...link.held]) {
      for (let i = pending.get(token) ?? 0; i < n; i++) {
        this.#unhold(link, token);
      }
    }
  }
}
