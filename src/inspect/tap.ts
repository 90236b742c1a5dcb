/**
 * The message tap: a copy of each message of an output, for `dora topic
 * echo/hz/info`. A subscriber never slows or blocks the dataflow: copies go
 * into a bounded queue per subscriber that drops its oldest copy when full
 * and counts what it dropped; payloads are cut at `maxBytes` (0: none).
 *
 * @module
 */
import type { DataLayout, WireParam } from "../message/mod.ts";

/** One copied message. */
export interface TappedMessage {
  /** The message's HLC timestamp (ns since the epoch, decimal). */
  ts: string;
  /** Its metadata parameters (wire form, see docs/protocol.md). */
  params?: Record<string, WireParam>;
  /** Its data layout (undefined for an empty message, e.g. a timer tick). */
  layout?: DataLayout;
  /** The first `maxBytes` bytes of its payload (null: none asked, or none). */
  bytes: Uint8Array | null;
  /** The whole payload's size in bytes. */
  size: number;
}

/** How a subscriber wants its copies. */
export interface TapOptions {
  /** Copies kept before the oldest is dropped (default 1024). */
  queueSize?: number;
  /** Payload bytes copied per message (default 0: only the layout and size). */
  maxBytes?: number;
  /** Called when a copy is queued and the queue was empty (to schedule a drain). */
  onMessage?: () => void;
}

/** A subscriber's end of a tap on one output. */
export interface OutputTap {
  /** The copies queued (oldest first), and how many were dropped since the last call. */
  drain(): { messages: TappedMessage[]; lost: number };
  /** Messages queued now. */
  readonly pending: number;
  readonly closed: boolean;
  /** Detaches the tap from its output (idempotent). */
  close(): void;
}

/** Default bound of a tap queue. */
export const TAP_QUEUE_SIZE = 1024;

/**
 * A bounded drop-oldest queue of copies: the tap's producer side calls
 * {@linkcode TapQueue.push} on the hot path (O(1), no allocation but the
 * copy itself).
 */
export class TapQueue implements OutputTap {
  readonly queueSize: number;
  readonly maxBytes: number;
  #items: (TappedMessage | undefined)[];
  #head = 0;
  #length = 0;
  #lost = 0;
  #closed = false;
  #onMessage?: () => void;
  #onClose: () => void;

  constructor(opts: TapOptions, onClose: () => void) {
    this.queueSize = Math.max(1, opts.queueSize ?? TAP_QUEUE_SIZE);
    this.maxBytes = Math.max(0, opts.maxBytes ?? 0);
    this.#items = new Array(this.queueSize);
    this.#onMessage = opts.onMessage;
    this.#onClose = onClose;
  }

  /** Queues a copy; a full queue drops its oldest one (counted). */
  push(msg: TappedMessage): void {
    if (this.#closed) return;
    const wasEmpty = this.#length === 0;
    if (this.#length === this.queueSize) {
      this.#head = (this.#head + 1) % this.queueSize;
      this.#length--;
      this.#lost++;
    }
    this.#items[(this.#head + this.#length) % this.queueSize] = msg;
    this.#length++;
    if (wasEmpty) this.#onMessage?.();
  }

  /** Counts messages the producer could not copy at all. */
  lose(n = 1): void {
    this.#lost += n;
  }

  get pending(): number {
    return this.#length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  drain(): { messages: TappedMessage[]; lost: number } {
    const messages: TappedMessage[] = new Array(this.#length);
    for (let i = 0; i < this.#length; i++) {
      const j = (this.#head + i) % this.queueSize;
      messages[i] = this.#items[j]!;
      this.#items[j] = undefined;
    }
    this.#head = 0;
    this.#length = 0;
    const lost = this.#lost;
    this.#lost = 0;
    return { messages, lost };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items = [];
    this.#length = 0;
    this.#onClose();
  }
}

/** A runtime whose outputs can be tapped and injected into. */
export interface TapSource {
  /** Taps `node/output`: every message it sends is copied into the returned queue. */
  subscribeOutput(node: string, output: string, opts: TapOptions): OutputTap;
  /**
   * Delivers a message on `node/output` to its subscribers as if the node had
   * sent it. Throws a {@linkcode InjectError} when it cannot.
   */
  injectOutput(
    node: string,
    output: string,
    msg: {
      params?: Record<string, WireParam>;
      layout?: DataLayout;
      payload: Uint8Array | null;
    },
  ): void;
}

/** A message cannot be injected on an output (unknown, closed, or not here). */
export class InjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InjectError";
  }
}
