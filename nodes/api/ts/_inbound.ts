/**
 * The inbound event path of a node: the read loop over the daemon socket,
 * frames turned into events (inputs decoded lazily, shared-memory inputs
 * mapped and released), the local event queue, and the `next` requests that
 * refill it. The Python node API's counterpart is `_inbound.py`.
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
} from "../../../src/message/mod.ts";
import { ShmMappings } from "../../../src/shm/mod.ts";
import { libc, libcError } from "../../../src/shm/libc.ts";
import { type Event, type InputEvent, inputEvent } from "./events.ts";
import type { TypeGuard } from "./type_check.ts";

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

/** The event stream of one node. */
export class Inbound {
  #conn: Deno.UnixConn;
  #reader: FrameReader;
  #writer: FrameWriter;
  #clock: HybridLogicalClock;
  /** `release` from the daemon: regions of ours that receivers gave back. */
  #onRelease: (tokens: string[]) => void;
  #queue: Event[] = [];
  #requested = false;
  /** Events of the batch being received; whether the last batch was full. */
  #batchCount = 0;
  #lastBatchFull = false;
  #stopped = false;
  #waiter: (() => void) | null = null;
  #last: (InputEvent & { retained: boolean }) | null = null;
  #mappings: ShmMappings | null = null;
  /** Runtime type checks (`--type-check`); null when off. */
  #types: TypeGuard | null;
  /** The daemon closed the connection (or it broke). */
  eof = false;
  /** The node was closed: no more requests or releases. */
  closed = false;

  constructor(
    conn: Deno.UnixConn,
    reader: FrameReader,
    writer: FrameWriter,
    clock: HybridLogicalClock,
    types: TypeGuard | null,
    onRelease: (tokens: string[]) => void,
  ) {
    this.#conn = conn;
    this.#types = types;
    this.#reader = reader;
    this.#writer = writer;
    this.#clock = clock;
    this.#onRelease = onRelease;
  }

  /** Reads frames until EOF; started once the handshake is done. */
  async readLoop(): Promise<void> {
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
        this.#queue.push({
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

  /** One frame from the daemon. */
  onFrame(h: DaemonToNode, frame: Frame): void {
    if (
      h.t !== "batch_end" && h.t !== "release" && h.t !== "hello_ok" &&
      h.t !== "ready"
    ) this.#batchCount++;
    switch (h.t) {
      case "input": {
        const metadata = decodeMetadata(h.m);
        this.#clock.update(metadata.timestamp);
        if (this.#types !== null) {
          const problem = this.#types.receive(
            h.id,
            h.d?.dt,
            metadata.parameters,
          );
          if (problem !== undefined) {
            if (h.shm) this.#releaseToken(h.shm.token);
            this.#queue.push({ type: "ERROR", error: problem });
            break;
          }
        }
        if (!h.shm) {
          // Decoded on first read of `event.value` (see inputEvent).
          const { d, id } = h;
          const payload = frame.payload;
          this.#queue.push(
            inputEvent(id, () => decodeValue(d, payload), metadata, null),
          );
          break;
        }
        const token = h.shm.token;
        let bytes: Uint8Array;
        try {
          bytes = this.#mapRegion(h.shm.name, h.shm.size);
        } catch (e) {
          this.#releaseToken(token);
          this.#queue.push({
            type: "ERROR",
            error: `input "${h.id}": cannot map shared memory ${h.shm.name}: ${
              (e as Error).message
            }`,
          });
          break;
        }
        const value = decodeValue(h.d, bytes);
        const unregister = {};
        const event = inputEvent(h.id, value, metadata, () => {
          leaked.unregister(unregister);
          this.#releaseToken(token);
        });
        leaked.register(value, () => this.#releaseToken(token), unregister);
        this.#queue.push(event);
        break;
      }
      case "input_closed":
        this.#queue.push({ type: "INPUT_CLOSED", id: h.id });
        break;
      case "input_recovered":
        this.#queue.push({ type: "INPUT_RECOVERED", id: h.id });
        break;
      case "node_restarted":
        this.#queue.push({ type: "NODE_RESTARTED", id: h.id });
        break;
      case "node_failed":
        this.#queue.push({
          type: "NODE_FAILED",
          id: h.id,
          inputs: h.inputs,
          error: h.error,
        });
        break;
      case "stop":
        this.#queue.push({ type: "STOP", cause: h.cause });
        break;
      case "error":
        this.#queue.push({ type: "ERROR", error: h.message });
        break;
      case "batch_end":
        this.#requested = false;
        // A full batch means more is waiting: ask again before the queue
        // runs dry. After a partial one the daemon's queues were empty, so
        // the request waits until the node wants more (it then is not
        // written between an event's arrival and its handover).
        this.#lastBatchFull = this.#batchCount >= BATCH;
        this.#batchCount = 0;
        break;
      case "release":
        this.#onRelease(h.tokens);
        break;
      case "hello_ok":
      case "ready":
        break;
    }
  }

  #mapRegion(name: string, size: number): Uint8Array {
    if (!this.#mappings) {
      const c = libc();
      if (!c) {
        throw new Error(
          `this node cannot map shared memory (${libcError()}); the daemon should send it data inline`,
        );
      }
      this.#mappings = new ShmMappings(c);
    }
    return this.#mappings.bytes(name, size);
  }

  #releaseToken(token: string): void {
    if (this.closed || this.eof) return;
    this.#writer.push({ t: "release", tokens: [token] });
  }

  /** Lets a waiting consumer look at the queue again. */
  wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  #request(): void {
    if (this.#requested || this.eof || this.#stopped || this.closed) return;
    this.#requested = true;
    this.#writer.pushJson(NEXT);
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
    const event = this.#queue.shift();
    if (event) {
      if (event.type === "STOP") this.#stopped = true;
      else if (event.type === "INPUT") {
        this.#last = event as InputEvent & { retained: boolean };
      }
      // Prefetch after a full batch: ask for the next one while this event
      // is processed.
      if (this.#queue.length === 0 && this.#lastBatchFull) this.#request();
      return event;
    }
    if (this.eof || this.closed) return null;
    this.#request();
    return undefined;
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
