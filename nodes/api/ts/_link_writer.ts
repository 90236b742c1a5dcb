/**
 * The sender's writer of one link to one receiver node: frames are encoded
 * into a pending buffer and written by one write at a time (like
 * `FrameWriter`), but each pending frame is remembered with its input, so
 * that a `drop_oldest` input holds at most its `queue_size` unwritten frames
 * (the oldest are dropped and counted) while the receiver is slow, not
 * connected yet, or restarting; `backpressure` inputs never drop (the sender
 * is held back instead, through {@link buffered}). The Python node API's
 * counterpart is in `_downstream.py`.
 *
 * @module
 */
import {
  align64,
  binaryHeaderBound,
  type DataLayout,
  frameSize,
  MAX_FRAME_LEN,
  type PayloadSource,
  ProtocolError,
  type ShmRef,
  type WireMetadata,
  writeBinaryHeader,
} from "../../../src/message/mod.ts";

const encoder = new TextEncoder();

function sizeOf(payload: Uint8Array | PayloadSource | null): number {
  if (!payload) return 0;
  return payload instanceof Uint8Array ? payload.length : payload.size;
}

/** Where the bytes go (a `Deno.UnixConn` fits). */
export interface LinkSink {
  write(p: Uint8Array): Promise<number>;
}

/** What the writer tells its owner. */
export interface LinkWriterHooks {
  /** A pending frame of `slot` was dropped (drop_oldest); `token` if it lent a region. */
  onDrop(slot: number, token: string | undefined): void;
  /** The sink failed (the receiver went away): `frames` being written are lost. */
  onLost(frames: number): void;
  /**
   * Called right after a write that follows a quiet spell (see
   * {@link LONE_WRITE_MS}): yields the CPU to the receiver it woke.
   */
  afterLoneWrite?: () => void;
}

/**
 * A write this long after the previous one is a lone message (not a burst):
 * its receiver was likely woken on this vCPU and would otherwise wait for the
 * rest of this event-loop turn (tens of µs) before it runs.
 */
const LONE_WRITE_MS = 1;

/**
 * Pending frames for one receiver.
 *
 * @example
 * ```ts
 * const w = new LinkWriter(hooks);
 * const slot = w.slot(10, false); // an input with queue_size 10, drop_oldest
 * w.push(slot, '{"t":"input","id":"in","m":{"ts":"1"}}', null);
 * w.attach(conn); // written once the receiver is connected
 * ```
 */
export class LinkWriter {
  #sink: LinkSink | null = null;
  #hooks: LinkWriterHooks;
  #buf = new Uint8Array(64 * 1024);
  #view = new DataView(this.#buf.buffer);
  #spare = new Uint8Array(64 * 1024);
  #len = 0;
  // One record per pending frame in #buf: start, length (negative once
  // dropped), slot, token.
  #starts: number[] = [];
  #lens: number[] = [];
  #slots: number[] = [];
  #tokens: (string | undefined)[] = [];
  #droppedBytes = 0;
  /** Per slot: pending frames, and the cap (Infinity for backpressure). */
  #pending: number[] = [];
  #caps: number[] = [];
  #writing = false;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  /** Frames of the write in flight (for `onLost`). */
  #inFlightFrames = 0;
  /** When the last write ended (`performance.now()`). */
  #lastWrite = -Infinity;

  /** Quiet time before a write that makes it lone (see {@link LONE_WRITE_MS}). */
  #quietMs: number;

  constructor(hooks: LinkWriterHooks, quietMs = LONE_WRITE_MS) {
    this.#hooks = hooks;
    this.#quietMs = quietMs;
  }

  /**
   * A writer with the same slots and nothing pending, for the receiver's
   * next process (this one finishes what it holds for the old one).
   */
  fresh(): LinkWriter {
    const w = new LinkWriter(this.#hooks, this.#quietMs);
    w.#caps = [...this.#caps];
    w.#pending = this.#caps.map(() => 0);
    return w;
  }

  /** A new input slot: `queueSize` frames at most while pending (drop_oldest). */
  slot(queueSize: number, backpressure: boolean): number {
    this.#pending.push(0);
    this.#caps.push(backpressure ? Infinity : Math.max(1, queueSize));
    return this.#pending.length - 1;
  }

  /** Changes a slot's policy (a route changed at run time). */
  setSlot(slot: number, queueSize: number, backpressure: boolean): void {
    this.#caps[slot] = backpressure ? Infinity : Math.max(1, queueSize);
  }

  /** Pending bytes (not yet handed to the receiver's socket). */
  get buffered(): number {
    return this.#len - this.#droppedBytes;
  }

  /** Whether the receiver is connected. */
  get attached(): boolean {
    return this.#sink !== null;
  }

  /**
   * Appends one frame for `slot`; header text already compact JSON.
   * Synchronous: payload bytes are copied now.
   */
  push(
    slot: number,
    json: string,
    payload: Uint8Array | PayloadSource | null,
    token?: string,
  ): void {
    const payloadSize = sizeOf(payload);
    this.#reserve(8 + json.length * 3 + 63 + payloadSize);
    const start = this.#len;
    const headerLen = encoder.encodeInto(json, this.#buf.subarray(start + 8))
      .written;
    this.#finish(slot, start, headerLen, payload, payloadSize, token);
  }

  /**
   * Appends one message frame (`input`) with a binary header written
   * straight into the buffer (see `binary_header.ts`).
   */
  pushMessage(
    slot: number,
    kind: number,
    idBytes: Uint8Array,
    m: WireMetadata,
    d: DataLayout | undefined,
    shm: ShmRef | undefined,
    payload: Uint8Array | PayloadSource | null,
    token?: string,
  ): void {
    const payloadSize = sizeOf(payload);
    this.#reserve(8 + binaryHeaderBound(idBytes, m, d, shm) + 63 + payloadSize);
    const start = this.#len;
    const headerLen = writeBinaryHeader(
      this.#buf,
      this.#view,
      start + 8,
      kind,
      idBytes,
      m,
      d,
      shm,
    );
    this.#finish(slot, start, headerLen, payload, payloadSize, token);
  }

  #finish(
    slot: number,
    start: number,
    headerLen: number,
    payload: Uint8Array | PayloadSource | null,
    payloadSize: number,
    token: string | undefined,
  ): void {
    const buf = this.#buf;
    const size = frameSize(headerLen, payloadSize);
    if (size - 4 > MAX_FRAME_LEN) {
      throw new ProtocolError(
        `frame too large: ${size - 4} bytes (max ${MAX_FRAME_LEN})`,
      );
    }
    this.#view.setUint32(start, size - 4, true);
    this.#view.setUint32(start + 4, headerLen, true);
    if (payloadSize > 0) {
      const payloadStart = start + align64(8 + headerLen);
      buf.fill(0, start + 8 + headerLen, payloadStart);
      if (payload instanceof Uint8Array) buf.set(payload, payloadStart);
      else {
        payload!.write(buf.subarray(payloadStart, payloadStart + payloadSize));
      }
    }
    this.#len += size;
    this.#starts.push(start);
    this.#lens.push(size);
    this.#slots.push(slot);
    this.#tokens.push(token);
    if (++this.#pending[slot] > this.#caps[slot]) this.#dropOldest(slot);
    this.#schedule();
  }

  #dropOldest(slot: number): void {
    const slots = this.#slots;
    const lens = this.#lens;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === slot && lens[i] > 0) {
        this.#droppedBytes += lens[i];
        lens[i] = -lens[i];
        this.#pending[slot]--;
        this.#hooks.onDrop(slot, this.#tokens[i]);
        this.#tokens[i] = undefined;
        return;
      }
    }
  }

  /** Starts writing now (same tick) unless a write is in flight or no receiver. */
  kick(): void {
    if (this.#writing || this.#len === 0 || !this.#sink) return;
    this.#pump();
  }

  /** The receiver connected: pending frames go out. */
  attach(sink: LinkSink): void {
    this.#sink = sink;
    this.kick();
  }

  /** The receiver is gone; pending frames stay (for its next incarnation). */
  detach(): void {
    this.#sink = null;
  }

  /**
   * Drops every pending frame (the receiver went away for good); returns
   * their tokens and how many frames there were.
   */
  discard(): { tokens: string[]; frames: number } {
    const tokens: string[] = [];
    let frames = 0;
    for (let i = 0; i < this.#lens.length; i++) {
      if (this.#lens[i] <= 0) continue;
      frames++;
      const t = this.#tokens[i];
      if (t !== undefined) tokens.push(t);
    }
    this.#resetPending();
    this.#sink = null;
    this.#wakeWaiters();
    return { tokens, frames };
  }

  /**
   * Takes the pending frames out (for the daemon to deliver instead, when
   * the sender closes before this receiver connected): their bytes, in
   * order, and the tokens they lend.
   */
  takePending(): { bytes: Uint8Array; tokens: string[] } {
    const tokens: string[] = [];
    const out = new Uint8Array(this.#len - this.#droppedBytes);
    let pos = 0;
    for (let i = 0; i < this.#lens.length; i++) {
      const n = this.#lens[i];
      if (n <= 0) continue;
      out.set(this.#buf.subarray(this.#starts[i], this.#starts[i] + n), pos);
      pos += n;
      const t = this.#tokens[i];
      if (t !== undefined) tokens.push(t);
    }
    this.#resetPending();
    this.#wakeWaiters();
    return { bytes: out, tokens };
  }

  /**
   * Resolves once nothing is pending or in flight. Without a receiver it
   * resolves at once, unless `untilDelivered`: then it waits for a receiver
   * to take the frames (or for {@link discard}).
   */
  flush(untilDelivered = false): Promise<void> {
    if (this.#len === 0 && !this.#writing) return Promise.resolve();
    if (!this.#sink && !untilDelivered) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  #resetPending(): void {
    this.#len = 0;
    this.#droppedBytes = 0;
    this.#starts.length = 0;
    this.#lens.length = 0;
    this.#slots.length = 0;
    this.#tokens.length = 0;
    this.#pending.fill(0);
  }

  #reserve(size: number): void {
    const need = this.#len + size;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing || !this.#sink) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (!this.#writing && this.#sink && this.#len > 0) this.#pump();
      else if (!this.#writing) this.#wakeWaiters();
    });
  }

  /** Tokens of the frames still pending (they go to the next incarnation), with counts. */
  pendingTokens(): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < this.#tokens.length; i++) {
      const t = this.#tokens[i];
      if (t !== undefined && this.#lens[i] > 0) {
        out.set(t, (out.get(t) ?? 0) + 1);
      }
    }
    return out;
  }

  /**
   * Takes every live pending frame out of the buffer, as one byte run (the
   * buffer itself when nothing was dropped: the two buffers swap roles).
   */
  #take(): Uint8Array {
    // Both buffers are free here (one write at a time).
    const buf = this.#buf;
    let out: Uint8Array;
    let frames = 0;
    if (this.#droppedBytes === 0) {
      out = buf.subarray(0, this.#len);
      frames = this.#lens.length;
      // New frames go into the other buffer while this one is written.
      this.#buf = this.#spare;
      this.#spare = buf;
      this.#view = new DataView(this.#buf.buffer);
    } else {
      const need = this.#len - this.#droppedBytes;
      if (this.#spare.length < need) this.#spare = new Uint8Array(need);
      const spare = this.#spare;
      let pos = 0;
      for (let i = 0; i < this.#lens.length; i++) {
        const n = this.#lens[i];
        if (n <= 0) continue;
        spare.set(buf.subarray(this.#starts[i], this.#starts[i] + n), pos);
        pos += n;
        frames++;
      }
      out = spare.subarray(0, pos);
    }
    this.#inFlightFrames = frames;
    this.#resetPending();
    return out;
  }

  async #pump(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#len > 0 && this.#sink) {
        const sink = this.#sink;
        const out = this.#take();
        let off = 0;
        try {
          const lone = performance.now() - this.#lastWrite > this.#quietMs;
          // The bytes leave during the call: yield before awaiting it.
          const first = sink.write(out);
          if (lone) this.#hooks.afterLoneWrite?.();
          off = await first;
          while (off < out.length) off += await sink.write(out.subarray(off));
        } catch {
          // The receiver went away mid-write: what it had not read is lost.
          if (this.#sink === sink) this.#sink = null;
          this.#hooks.onLost(this.#inFlightFrames);
        }
        this.#inFlightFrames = 0;
        this.#lastWrite = performance.now();
      }
    } finally {
      this.#writing = false;
      this.#wakeWaiters();
    }
  }

  #wakeWaiters(): void {
    if (this.#len > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
