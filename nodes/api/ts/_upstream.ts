/**
 * The receiver side of direct delivery (docs/protocol.md, "Direct
 * delivery"): for the inputs the daemon's `routes` say come over links, the
 * node connects to each sender's `listen` socket, says `link`, and reads the
 * sender's `input` / `input_closed` frames; shared-memory inputs are released
 * back over the same link. A restarted sender gets a new link once the old
 * one has been read to its end, so its messages stay in order. The Python
 * node API's counterpart is `_upstream.py`.
 *
 * @module
 */
import {
  asSenderToReceiver,
  type Frame,
  FrameReader,
  FrameWriter,
  type InputRoute,
  PROTOCOL_VERSION,
  ProtocolError,
  type SenderToReceiver,
} from "../../../src/message/mod.ts";

/** The link to one incarnation of one sender. */
export class SenderLink {
  readonly node: string;
  readonly gen: number;
  writer: FrameWriter | null = null;
  conn: Deno.UnixConn | null = null;
  /** Read to its end (or never connected). */
  ended = false;
  readonly done: Promise<void>;
  #resolveDone!: () => void;
  /** Reading is paused (a backpressure input is full). */
  resume: (() => void) | null = null;

  /** The key the daemon gave for this sender (said in `link`). */
  key?: string;

  constructor(node: string, gen: number, key?: string) {
    this.node = node;
    this.gen = gen;
    this.key = key;
    this.done = new Promise((r) => this.#resolveDone = r);
  }

  /** Marks the link ended (once). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.conn?.close();
    } catch {
      // already closed
    }
    this.conn = null;
    this.writer = null;
    this.resume?.();
    this.resume = null;
    this.#resolveDone();
  }

  /** Gives shared-memory tokens back to the sender (if it is still there). */
  release(token: string): void {
    if (this.ended || !this.writer) return;
    try {
      this.writer.push({ t: "release", tokens: [token] });
    } catch {
      // the sender is gone: it released everything itself
    }
  }
}

/** What the upstream side hands to the node's event path. */
export interface UpstreamHooks {
  /**
   * A frame from a sender (`input`, `input_closed`, `error`); returns a
   * promise to pause reading this link (a full backpressure input).
   */
  onFrame(
    link: SenderLink,
    h: SenderToReceiver,
    frame: Frame,
  ): Promise<void> | undefined;
  /** The frames of one socket read were handed over (wake the consumer). */
  onIdle(): void;
  /** A link was read to its end (or could not be made). */
  onEnded(link: SenderLink): void;
  /** A link could not be made for a reason other than a gone sender. */
  onFailed(node: string, error: string): void;
}

/** The links of one receiver to its senders. */
export class Upstream {
  #df: string;
  #self: string;
  #hooks: UpstreamHooks;
  /** Every link not yet ended, and the newest link per sender. */
  #live = new Set<SenderLink>();
  #newest = new Map<string, SenderLink>();
  /** Input id → sending node, for link-fed inputs. */
  #sources = new Map<string, string>();
  #closed = false;

  constructor(df: string, self: string, hooks: UpstreamHooks) {
    this.#df = df;
    this.#self = self;
    this.#hooks = hooks;
  }

  /** Whether some input comes over a link. */
  get hasLinks(): boolean {
    return this.#sources.size > 0;
  }

  /** Whether `input` comes over a link. */
  isLinked(input: string): boolean {
    return this.#sources.has(input);
  }

  /** The sender feeding link-fed `input`. */
  sourceOf(input: string): string | undefined {
    return this.#sources.get(input);
  }

  /** The link-fed inputs that `node` feeds. */
  inputsOf(node: string): string[] {
    const out: string[] = [];
    for (const [id, n] of this.#sources) if (n === node) out.push(id);
    return out;
  }

  /** Links of `node` not yet read to their end. */
  liveLinks(node: string): SenderLink[] {
    return [...this.#live].filter((l) => l.node === node);
  }

  /** Takes the daemon's `routes.in`: connects to senders as needed. */
  setRoutes(inputs: Record<string, InputRoute>): void {
    // An input no longer routed keeps its source while that link lives:
    // its close still comes over the link, behind its last messages.
    const previous = this.#sources;
    this.#sources = new Map();
    for (const [id, node] of previous) {
      if (!(id in inputs) && this.liveLinks(node).length > 0) {
        this.#sources.set(id, node);
      }
    }
    const wanted = new Map<string, InputRoute>();
    for (const [id, r] of Object.entries(inputs)) {
      this.#sources.set(id, r.node);
      wanted.set(r.node, r);
    }
    if (this.#closed) return;
    for (const [node, r] of wanted) {
      const cur = this.#newest.get(node);
      if (r.sock === null || (cur && cur.gen >= r.gen)) continue;
      const link = new SenderLink(node, r.gen, r.key);
      this.#newest.set(node, link);
      this.#live.add(link);
      this.#open(link, r.sock, cur);
    }
  }

  /** Every link ended (used to answer `drain`). */
  ended(node: string, gen: number): boolean {
    for (const l of this.#live) {
      if (l.node === node && l.gen <= gen) return false;
    }
    return true;
  }

  /** Closes every link (the node is closing). */
  close(): void {
    this.#closed = true;
    for (const l of [...this.#live]) this.#finish(l);
  }

  #finish(link: SenderLink): void {
    if (link.ended) return;
    link.end();
    this.#live.delete(link);
    this.#hooks.onEnded(link);
  }

  async #open(
    link: SenderLink,
    path: string,
    previous: SenderLink | undefined,
  ): Promise<void> {
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path });
    } catch (e) {
      // Refused or missing: that incarnation of the sender is gone (the
      // daemon names the next one). Anything else (a permission) is a
      // failure: the daemon then relays this sender's messages.
      if (
        !(e instanceof Deno.errors.ConnectionRefused) &&
        !(e instanceof Deno.errors.NotFound)
      ) this.#hooks.onFailed(link.node, (e as Error).message);
      this.#finish(link);
      return;
    }
    if (this.#closed || link.ended) {
      conn.close();
      this.#finish(link);
      return;
    }
    conn.unref();
    link.conn = conn;
    link.writer = new FrameWriter(conn);
    link.writer.push({
      t: "link",
      v: PROTOCOL_VERSION,
      df: this.#df,
      node: this.#self,
      pid: Deno.pid,
      ...(link.key !== undefined ? { key: link.key } : {}),
    });
    // The previous incarnation's messages come first.
    if (previous && !previous.ended) await previous.done;
    const reader = new FrameReader(conn);
    try {
      for (;;) {
        let frame = await reader.next();
        if (!frame) break;
        while (frame) {
          const pause = this.#hooks.onFrame(
            link,
            asSenderToReceiver(frame.header),
            frame,
          );
          if (pause) {
            // Let the consumer take what is queued, then read on.
            this.#hooks.onIdle();
            await pause;
          }
          if (link.ended) break;
          frame = reader.tryNext();
        }
        this.#hooks.onIdle();
        if (link.ended) break;
      }
    } catch (e) {
      // A reset is the sender going away: the end of this link. A broken
      // stream is a failure: the daemon relays this sender from then on.
      if (e instanceof ProtocolError) {
        this.#hooks.onFailed(
          link.node,
          `link from "${link.node}": ${e.message}`,
        );
      }
    }
    this.#finish(link);
  }
}
