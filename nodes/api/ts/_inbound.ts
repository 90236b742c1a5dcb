/**
 * The inbound event path of a node: frames from the daemon socket and from
 * the links to its senders (`_upstream.ts`) turned into events (inputs
 * decoded lazily, shared-memory inputs mapped and released to whoever sent
 * them), the local event queue (`_event_queue.ts`: per-input policies, control
 * events first, in-order closes), and the `next` requests that let the daemon
 * send what it queued for us. The Python node API's counterpart is
 * `_inbound.py`.
 *
 * @module
 */
import {
  asDaemonToNode,
  type DaemonToNode,
  decodeMetadata,
  decodeValue,
  type Frame,
  type FrameReader,
  type FrameWriter,
  type HybridLogicalClock,
  type InputHeader,
  type RoutesHeader,
  type SenderToReceiver,
  type StatsHeader,
} from "../../../src/message/mod.ts";
import {
  isDataflowRegion,
  isRegionOf,
  regionPrefix,
  ShmMappings,
} from "../../../src/shm/mod.ts";
import { shmCalls, shmCallsError } from "../../../src/shm/shm_calls.ts";
import type { NodeConfig } from "./config.ts";
import { EventQueue } from "./_event_queue.ts";
import { type Event, type InputEvent, inputEvent } from "./events.ts";
import type { TypeGuard } from "./type_check.ts";
import { type SenderLink, Upstream } from "./_upstream.ts";

/**
 * Most events requested per `next`. The daemon's per-input queues still bound
 * what a batch can hold (a `queue_size: 1` input contributes at most one).
 */
const BATCH = 256;
const NEXT = JSON.stringify({ t: "next", max: BATCH });

/**
 * Backstop only: an input whose value was dropped without `release()` gives
 * its shared-memory region back when the value is garbage-collected. GC does
 * not see mapped memory, so this may come late: release explicitly.
 */
const leaked = new FinalizationRegistry<() => void>((release) => release());

type QueuedInput = InputEvent & { retained: boolean };

/** What the event path hands to the rest of the node. */
export interface InboundHooks {
  /** `release` from the daemon: regions of ours it is done with. */
  onRelease(tokens: string[]): void;
  /** `routes` from the daemon (`in` is taken here, `out` by the send path). */
  onRoutes(h: RoutesHeader): void;
  /** `hand_over`: end the link to `node`'s process `pid` (it is replaced). */
  onHandOver(node: string, pid: number): void;
  /** The event stream ended (STOP taken, or the daemon went away). */
  onEnd(): void;
}

/** The event stream of one node. */
export class Inbound {
  #conn: Deno.UnixConn;
  #reader: FrameReader;
  #writer: FrameWriter;
  #clock: HybridLogicalClock;
  #hooks: InboundHooks;
  #queue: EventQueue<Event>;
  #upstream: Upstream;
  /** Input events from the daemon still queued here; the `next` request. */
  #fromDaemon = new WeakSet<Event>();
  #daemonQueued = 0;
  #requested = false;
  #stopped = false;
  #ended = false;
  #waiter: (() => void) | null = null;
  #last: QueuedInput | null = null;
  /**
   * The node's runtime parameters: those of `hello_ok`, then each change as
   * its event is handed out (so they agree with the events seen).
   */
  params: Record<string, unknown> = {};
  #mappings: ShmMappings | null = null;
  #dataflowId: string;
  #config: NodeConfig;
  /** Region prefix of each sender that sent over a link. */
  #prefixes = new Map<string, string>();
  /** Runtime type checks (`--type-check`); null when off. */
  #types: TypeGuard | null;
  /**
   * Link-fed inputs the daemon closed while their link may still carry
   * messages sent before: INPUT_CLOSED (and STOP(ALL_INPUTS_CLOSED)) wait
   * until the link delivered its own close for the input, or ended.
   */
  #deferredCloses = new Set<string>();
  #heldStop: Event | null = null;
  /** `drain` requests waiting for links to end. */
  #drains: { node: string; gen: number }[] = [];
  /** Links paused by a full backpressure input. */
  #paused = new Set<SenderLink>();
  /** Counters of inputs that came over links (see `stats`). */
  #received = 0;
  #shmReceived = 0;
  #inlineReceived = 0;
  /** Per input (for `dora node info` rates). */
  #receivedBy: Record<string, number> = {};
  /** Bumped whenever a counter changes (a `stats` report is due). */
  changes = 0;
  /** The daemon closed the connection (or it broke). */
  eof = false;
  /** The node was closed: no more requests or releases. */
  closed = false;

  constructor(
    config: NodeConfig,
    conn: Deno.UnixConn,
    reader: FrameReader,
    writer: FrameWriter,
    clock: HybridLogicalClock,
    types: TypeGuard | null,
    hooks: InboundHooks,
  ) {
    this.#conn = conn;
    this.#dataflowId = config.dataflow_id;
    this.#config = config;
    this.#types = types;
    this.#reader = reader;
    this.#writer = writer;
    this.#clock = clock;
    this.#hooks = hooks;
    this.#queue = new EventQueue(config.inputs);
    this.#upstream = new Upstream(config.dataflow_id, config.node_id, {
      onFrame: (link, h, frame) => this.#onLinkFrame(link, h, frame),
      onIdle: () => this.wake(),
      onEnded: (link) => this.#onLinkEnded(link),
      onFailed: (node, error) => this.#push({ t: "link_failed", node, error }),
    });
  }

  /** Reads daemon frames until EOF; started once the handshake is done. */
  async readLoop(): Promise<void> {
    this.#prefetch();
    try {
      for (;;) {
        let frame = await this.#reader.next();
        if (!frame) break;
        // Everything already buffered (a whole batch) in this tick.
        while (frame) {
          this.onFrame(asDaemonToNode(frame.header), frame);
          frame = this.#reader.tryNext();
        }
        // Once per batch: a waiting consumer takes its event synchronously.
        this.wake();
      }
    } catch (e) {
      // A reset is the daemon going away, like EOF; anything else is reported.
      const gone = e instanceof Deno.errors.ConnectionReset ||
        e instanceof Deno.errors.BrokenPipe;
      if (!this.closed && !gone) {
        this.#queue.pushControl({
          type: "ERROR",
          error: `connection to the dora daemon failed: ${
            (e as Error).message
          }`,
        });
      }
    }
    this.eof = true;
    this.wake();
  }

  /** Inbound counters of a `stats` report. */
  stats(): Pick<
    StatsHeader,
    "received" | "shm_received" | "inline_received" | "in" | "drops" | "unread"
  > {
    return {
      received: this.#received,
      in: { ...this.#receivedBy },
      shm_received: this.#shmReceived,
      inline_received: this.#inlineReceived,
      drops: this.#queue.drops(),
      unread: this.#queue.unreadInputs,
    };
  }

  /** One frame from the daemon. */
  onFrame(h: DaemonToNode, frame: Frame): void {
    switch (h.t) {
      case "input": {
        const event = this.#inputEvent(h, frame, null);
        if (!event) break;
        this.#fromDaemon.add(event);
        this.#daemonQueued++;
        this.#queue.pushInput(h.id, event, (e) => this.#dropped(e));
        break;
      }
      case "input_closed":
        if (this.#upstream.isLinked(h.id)) this.#closeLinked(h.id);
        // A relayed input (a timeout may close it again after a recovery).
        else this.#queue.pushControl({ type: "INPUT_CLOSED", id: h.id });
        break;
      case "input_recovered":
        this.#queue.pushControl({ type: "INPUT_RECOVERED", id: h.id });
        break;
      case "node_restarted":
        this.#queue.pushControl({ type: "NODE_RESTARTED", id: h.id });
        break;
      case "node_failed":
        this.#queue.pushControl({
          type: "NODE_FAILED",
          id: h.id,
          inputs: h.inputs,
          error: h.error,
        });
        break;
      case "stop":
        if (h.cause === "MANUAL") {
          this.#queue.pushControl({ type: "STOP", cause: h.cause });
        } else if (this.#deferredCloses.size > 0) {
          // Behind the links that still deliver data.
          this.#heldStop = { type: "STOP", cause: h.cause };
        } else this.#queue.pushFinalStop({ type: "STOP", cause: h.cause });
        break;
      case "error":
        this.#queue.pushControl({ type: "ERROR", error: h.message });
        break;
      case "batch_end":
        this.#requested = false;
        this.#prefetch();
        break;
      case "release":
        this.#hooks.onRelease(h.tokens);
        break;
      case "routes":
        for (const [id, r] of Object.entries(h.in)) {
          this.#queue.addInput(id, r);
        }
        this.#upstream.setRoutes(h.in);
        this.#hooks.onRoutes(h);
        break;
      case "drain":
        this.#drains.push({ node: h.node, gen: h.gen });
        this.#answerDrains();
        break;
      case "hand_over":
        this.#hooks.onHandOver(h.node, h.pid);
        break;
      case "param_update":
        this.#queue.pushControl({
          type: "PARAM_UPDATE",
          id: h.key,
          key: h.key,
          value: h.value,
        });
        break;
      case "param_deleted":
        this.#queue.pushControl({
          type: "PARAM_DELETED",
          id: h.key,
          key: h.key,
        });
        break;
      case "hello_ok":
        this.params = { ...h.params };
        break;
      case "ready":
        break;
    }
  }

  /** One frame from a sender's link. */
  #onLinkFrame(
    link: SenderLink,
    h: SenderToReceiver,
    frame: Frame,
  ): Promise<void> | undefined {
    switch (h.t) {
      case "input": {
        const event = this.#inputEvent(h, frame, link);
        if (!event) return;
        this.#received++;
        this.#receivedBy[h.id] = (this.#receivedBy[h.id] ?? 0) + 1;
        if (h.shm) this.#shmReceived++;
        else if (frame.payload) this.#inlineReceived += frame.payload.length;
        this.changes++;
        const full = this.#queue.pushInput(
          h.id,
          event,
          (e) => this.#dropped(e),
        );
        if (!full) return;
        this.#paused.add(link);
        return new Promise((resolve) => link.resume = resolve);
      }
      case "input_closed":
        this.#queue.closeInput(h.id, { type: "INPUT_CLOSED", id: h.id });
        this.#deferredCloses.delete(h.id);
        this.#releaseHeldStop();
        return;
      case "error":
        this.#queue.pushControl({
          type: "ERROR",
          error: `link from "${link.node}": ${h.message}`,
        });
        return;
      case "handed_over":
        // Everything the sender wrote before is queued here, ahead of the
        // STOP the daemon sends once it knows.
        this.#push({ t: "link_handed", node: link.node });
        return;
    }
  }

  /**
   * The daemon closed a link-fed input (its sender finished or died): the
   * close follows the messages the sender's link still carries, so it waits
   * until the link delivered its own close for the input, or ended.
   */
  #closeLinked(id: string): void {
    if (this.#queue.isClosed(id)) return;
    const node = this.#upstream.sourceOf(id)!;
    if (this.#upstream.liveLinks(node).length > 0) {
      this.#deferredCloses.add(id);
      return;
    }
    this.#queue.closeInput(id, { type: "INPUT_CLOSED", id });
  }

  #onLinkEnded(link: SenderLink): void {
    this.#paused.delete(link);
    for (const id of [...this.#deferredCloses]) {
      if (this.#upstream.sourceOf(id) !== link.node) continue;
      if (this.#upstream.liveLinks(link.node).length > 0) continue;
      this.#deferredCloses.delete(id);
      this.#queue.closeInput(id, { type: "INPUT_CLOSED", id });
    }
    this.#releaseHeldStop();
    this.#answerDrains();
    this.wake();
  }

  #releaseHeldStop(): void {
    if (this.#heldStop && this.#deferredCloses.size === 0) {
      this.#queue.pushFinalStop(this.#heldStop);
      this.#heldStop = null;
    }
  }

  #answerDrains(): void {
    this.#drains = this.#drains.filter((d) => {
      if (!this.#upstream.ended(d.node, d.gen)) return true;
      this.#push({ t: "drained", node: d.node, gen: d.gen });
      return false;
    });
  }

  /** An input event; shared memory is mapped now (its sender may be gone later). */
  #inputEvent(
    h: InputHeader,
    frame: Frame,
    link: SenderLink | null,
  ): QueuedInput | null {
    const metadata = decodeMetadata(h.m);
    this.#clock.update(metadata.timestamp);
    const release = !h.shm
      ? null
      : link
      ? () => link.release(h.shm!.token)
      : () => this.#releaseToDaemon(h.shm!.token);
    if (this.#types !== null) {
      const problem = this.#types.receive(h.id, h.d?.dt, metadata.parameters);
      if (problem !== undefined) {
        release?.();
        this.#queue.pushControl({ type: "ERROR", error: problem });
        return null;
      }
    }
    if (!h.shm || !release) {
      // Decoded on first read of `event.value` (see inputEvent).
      const { d, id } = h;
      const payload = frame.payload;
      return inputEvent(id, () => decodeValue(d, payload), metadata, null);
    }
    let bytes: Uint8Array;
    try {
      this.#checkRegion(h.shm.name, link);
      bytes = this.#mapRegion(h.shm.name, h.shm.size);
    } catch (e) {
      release();
      this.#queue.pushControl({
        type: "ERROR",
        error: `input "${h.id}" from "${
          link ? link.node : this.#config.inputs[h.id]?.source ?? "?"
        }": cannot map shared memory ${h.shm.name}: ${
          (e as Error).message
        }; message refused`,
      });
      return null;
    }
    const value = decodeValue(h.d, bytes);
    const unregister = {};
    const event = inputEvent(h.id, value, metadata, () => {
      leaked.unregister(unregister);
      release();
    });
    leaked.register(value, release, unregister);
    return event;
  }

  /** A queue dropped an event (drop_oldest): what it held goes back. */
  #dropped(e: Event): void {
    if (this.#fromDaemon.has(e)) this.#daemonQueued--;
    if (e.type === "INPUT") e.release();
    this.changes++;
  }

  /**
   * A region named on a link must be one of that sender's own, in the exact
   * form the node APIs create; one named by the daemon (which checked its
   * owner) one of this dataflow's.
   */
  #checkRegion(name: string, link: SenderLink | null): void {
    if (link) {
      let prefix = this.#prefixes.get(link.node);
      if (prefix === undefined) {
        prefix = regionPrefix(this.#dataflowId, link.node);
        this.#prefixes.set(link.node, prefix);
      }
      if (isRegionOf(name, prefix)) return;
      throw new Error(`it is not a region of node "${link.node}"`);
    }
    if (!isDataflowRegion(name, this.#dataflowId)) {
      throw new Error("it is not a region of this dataflow");
    }
  }

  #mapRegion(name: string, size: number): Uint8Array {
    if (!this.#mappings) {
      const c = shmCalls();
      if (!c) {
        throw new Error(
          `this node cannot map shared memory (${shmCallsError()}); the daemon should send it data inline`,
        );
      }
      this.#mappings = new ShmMappings(c);
    }
    return this.#mappings.bytes(name, size);
  }

  #releaseToDaemon(token: string): void {
    this.#push({ t: "release", tokens: [token] });
  }

  /** A frame to the daemon, unless it is gone. */
  #push(header: object): void {
    if (this.closed || this.eof) return;
    try {
      this.#writer.push(header);
    } catch {
      // the daemon is gone
    }
  }

  /** Lets a waiting consumer look at the queue again. */
  wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /**
   * Asks the daemon for what it queued for us, whenever nothing of it waits
   * here (link-fed inputs keep flowing meanwhile).
   */
  #request(): void {
    if (
      this.#requested || this.#daemonQueued > 0 || this.eof || this.#stopped ||
      this.closed
    ) return;
    this.#requested = true;
    this.#writer.pushJson(NEXT);
  }

  /**
   * With inputs that come over links, what the daemon queued for us is
   * asked for as soon as none of it waits here, so that both flow side by
   * side. Without, `next` is sent only when the node waits for an event
   * (then the daemon knows an idle node from a busy one: health checks).
   */
  #prefetch(): void {
    if (this.#upstream.hasLinks) this.#request();
  }

  /** Releases the previous input (unless retained). */
  releaseLast(): void {
    const last = this.#last;
    if (last) {
      this.#last = null;
      if (!last.retained) last.release();
    }
  }

  /** A buffered event, `null` at the end, `undefined` when we must wait. */
  #take(): Event | null | undefined {
    if (this.#stopped) return null;
    const event = this.#queue.take();
    if (event) {
      if (this.#fromDaemon.has(event)) {
        this.#daemonQueued--;
        if (this.#daemonQueued === 0) this.#prefetch();
      }
      if (this.#paused.size > 0) this.#resumeLinks();
      if (event.type === "STOP") {
        this.#stopped = true;
        this.#end();
      } else if (event.type === "INPUT") {
        this.#last = event as QueuedInput;
      } else if (event.type === "PARAM_UPDATE") {
        this.params[event.key] = event.value;
      } else if (event.type === "PARAM_DELETED") {
        delete this.params[event.key];
      }
      return event;
    }
    if (this.eof || this.closed) {
      this.#end();
      return null;
    }
    this.#request();
    return undefined;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#hooks.onEnd();
  }

  /** Reading goes on for links whose inputs have room again. */
  #resumeLinks(): void {
    for (const link of [...this.#paused]) {
      if (
        this.#upstream.inputsOf(link.node).some((id) => this.#queue.isFull(id))
      ) continue;
      this.#paused.delete(link);
      const r = link.resume;
      link.resume = null;
      r?.();
    }
  }

  /** Closes the links to the senders (the node is closing). */
  closeLinks(): void {
    this.#upstream.close();
  }

  /** The next event, or `null` once the stream ended (see `Node.recv`). */
  async recv(): Promise<Event | null> {
    this.releaseLast();
    for (;;) {
      const event = this.#take();
      if (event !== undefined) return event;
      // Waiting for the daemon keeps the process alive; otherwise it may exit.
      this.#conn.ref();
      try {
        await new Promise<void>((resolve) => this.#waiter = resolve);
      } finally {
        this.#conn.unref();
      }
    }
  }

  /** The event iterator (see `Node[Symbol.asyncIterator]`). */
  iterator(): AsyncIterator<Event> {
    const result = (e: Event | null): IteratorResult<Event> =>
      e ? { value: e, done: false } : { value: undefined, done: true };
    return {
      next: () => {
        // Fast path without an async function when an event is buffered.
        this.releaseLast();
        const e = this.#take();
        if (e !== undefined) return Promise.resolve(result(e));
        // Otherwise the read loop's wake-up resolves the promise `for await`
        // waits on directly (no async function or `.then` hop in between).
        this.#conn.ref();
        return new Promise<IteratorResult<Event>>((resolve) => {
          const check = () => {
            const e = this.#take();
            if (e === undefined) {
              this.#waiter = check;
              return;
            }
            this.#conn.unref();
            resolve(result(e));
          };
          this.#waiter = check;
        });
      },
      return: () => {
        this.releaseLast();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
