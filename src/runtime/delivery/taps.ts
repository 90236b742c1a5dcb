/**
 * Subscriptions to outputs at run time ("taps", for `dora topic echo/hz`,
 * recorders): one more route of the output, to the runtime. A tap never
 * slows the dataflow: each subscriber has a bounded queue that drops its
 * oldest copy when full and counts what it lost, and payloads are copied
 * only up to `maxBytes`. With no subscriber the output costs nothing extra:
 * its sender is not even told to send to the runtime.
 *
 * @module
 */
import type { DataLayout, ShmRef, WireMetadata } from "../../message/mod.ts";

/** Options of a subscription. */
export interface TapOptions {
  /** Copies waiting for the subscriber before the oldest is dropped (default 64). */
  queueSize?: number;
  /**
   * Payload bytes copied per message (default 4096); `Infinity` copies whole
   * payloads, shared-memory ones included; 0 copies none (size and layout
   * only).
   */
  maxBytes?: number;
  /**
   * Called when a copy lands in an empty queue (a subscriber that drains in
   * batches schedules its next {@linkcode Tap.drain} here).
   */
  onMessage?: () => void;
}

/** One message as a subscriber sees it. */
export interface TapMessage {
  /** The sending node and its output. */
  node: string;
  output: string;
  /** Metadata as on the wire (HLC timestamp, parameters). */
  metadata: WireMetadata;
  /** The data layout `d` (undefined for an empty message). */
  layout: DataLayout | undefined;
  /**
   * The payload bytes (the first `maxBytes` of them), or `null` without
   * data or when they could not be read.
   */
  payload: Uint8Array | null;
  /** Payload bytes of the whole message. */
  size: number;
  /** `payload` holds less than `size` bytes. */
  truncated: boolean;
  /** Whether the message travelled in shared memory. */
  shm: boolean;
}

/**
 * A subscription: a bounded drop-oldest queue of the output's messages, read
 * one by one (an async iterable) or in batches ({@linkcode Tap.drain});
 * `lost` counts the copies dropped because the subscriber was slower than
 * the output.
 *
 * @example
 * ```ts
 * const tap = runtime.subscribe("camera", "image", { maxBytes: 256 });
 * for await (const m of tap) console.log(m.metadata.ts, m.size, tap.lost);
 * ```
 */
export class Tap implements AsyncIterable<TapMessage> {
  readonly node: string;
  readonly output: string;
  readonly queueSize: number;
  readonly maxBytes: number;
  /** Copies dropped because the queue was full (or the payload unreadable). */
  lost = 0;
  /** Copies offered to the subscriber (delivered, queued or lost). */
  received = 0;
  /** A ring: O(1) per copy on the forwarding path, whatever the queue size. */
  #items: (TapMessage | undefined)[];
  #head = 0;
  #length = 0;
  #lostDrained = 0;
  #waiter: (() => void) | null = null;
  #closed = false;
  #onMessage?: () => void;
  #onClose: (tap: Tap) => void;

  /** @internal Made by `DataflowRuntime.subscribe`. */
  constructor(
    node: string,
    output: string,
    options: TapOptions,
    onClose: (tap: Tap) => void,
  ) {
    this.node = node;
    this.output = output;
    this.queueSize = Math.max(1, options.queueSize ?? 64);
    this.maxBytes = Math.max(0, options.maxBytes ?? 4096);
    this.#items = new Array(Math.min(this.queueSize, 1024));
    this.#onMessage = options.onMessage;
    this.#onClose = onClose;
  }

  /** Whether the subscription ended (closed, or the dataflow finished). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Copies queued now. */
  get pending(): number {
    return this.#length;
  }

  /** @internal Queues a copy (drops the oldest when full). */
  offer(message: TapMessage): void {
    if (this.#closed) return;
    this.received++;
    if (this.#length === this.queueSize) {
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#items.length;
      this.#length--;
      this.lost++;
    } else if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = message;
    this.#length++;
    if (this.#length === 1) this.#onMessage?.();
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** @internal Counts a copy that could not be made (unreadable region). */
  lose(n = 1): void {
    this.received += n;
    this.lost += n;
  }

  #grow(): void {
    const size = Math.min(this.queueSize, this.#items.length * 2);
    const items: (TapMessage | undefined)[] = new Array(size);
    for (let i = 0; i < this.#length; i++) {
      items[i] = this.#items[(this.#head + i) % this.#items.length];
    }
    this.#items = items;
    this.#head = 0;
  }

  #shift(): TapMessage | undefined {
    if (this.#length === 0) return undefined;
    const m = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return m;
  }

  /**
   * Every queued copy (oldest first) and how many were lost since the
   * previous `drain`.
   */
  drain(): { messages: TapMessage[]; lost: number } {
    const messages: TapMessage[] = new Array(this.#length);
    for (let i = 0; i < messages.length; i++) messages[i] = this.#shift()!;
    const lost = this.lost - this.#lostDrained;
    this.#lostDrained = this.lost;
    return { messages, lost };
  }

  /** The next message, or `null` once the subscription ended. */
  async next(): Promise<TapMessage | null> {
    for (;;) {
      const m = this.#shift();
      if (m) return m;
      if (this.#closed) return null;
      await new Promise<void>((r) => this.#waiter = r);
    }
  }

  /** Every message until the subscription ends. */
  async *[Symbol.asyncIterator](): AsyncIterator<TapMessage> {
    for (let m = await this.next(); m; m = await this.next()) yield m;
  }

  /** Ends the subscription (queued messages can still be read). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this);
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}

/** Reads a shared-memory payload (up to `maxBytes`) for the taps. */
export type RegionReader = (
  shm: ShmRef,
  d: DataLayout | undefined,
  maxBytes: number,
) => Uint8Array | null;

/** Hands a copy of one message to every subscriber of its output. */
export function offerToTaps(
  taps: Set<Tap>,
  read: RegionReader,
  node: string,
  output: string,
  metadata: WireMetadata,
  d: unknown,
  shm: ShmRef | undefined,
  payload: Uint8Array | null,
): void {
  const layout = d as DataLayout | undefined;
  const size = shm ? extentOf(layout) : payload?.length ?? 0;
  let copies: Map<number, Uint8Array | null> | undefined;
  for (const tap of taps) {
    const want = Math.min(size, tap.maxBytes);
    let bytes: Uint8Array | null;
    if (want === 0) bytes = null;
    else if (!shm) bytes = payload!.slice(0, want);
    else {
      copies ??= new Map();
      if (!copies.has(want)) {
        let copy: Uint8Array | null = null;
        try {
          copy = read(shm, layout, want);
        } catch {
          // the region is gone (counted below)
        }
        copies.set(want, copy);
      }
      bytes = copies.get(want)!;
      if (bytes === null) {
        // the region is gone: this copy is lost, the message goes on
        tap.lose();
        continue;
      }
    }
    tap.offer({
      node,
      output,
      metadata,
      layout,
      payload: bytes,
      size,
      truncated: (bytes?.length ?? 0) < size,
      shm: shm !== undefined,
    });
  }
}

function extentOf(d: DataLayout | undefined): number {
  if (!d) return 0;
  let end = 0;
  for (const b of d.bufs ?? []) {
    if (Array.isArray(b) && b[1] > 0) end = Math.max(end, b[0] + b[1]);
  }
  for (const c of d.ch ?? []) end = Math.max(end, extentOf(c));
  return end;
}
