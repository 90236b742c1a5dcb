/**
 * What the inspection side needs of a message tap (`dora topic
 * echo/hz/info/pub`): a source whose outputs can be subscribed to and
 * injected into. The runtime's route-table taps (`src/runtime/delivery/
 * taps.ts`) are the one implementation: a bounded drop-oldest queue per
 * subscriber that counts what it dropped, payloads cut at `maxBytes`, and no
 * cost for an output nobody subscribed to.
 *
 * @module
 */
import type { DataLayout, WireMetadata, WireParam } from "../message/mod.ts";

/** One copied message (the fields of the runtime's `TapMessage` used here). */
export interface TappedMessage {
  /** HLC timestamp (ns since the epoch, decimal) and parameters, wire form. */
  metadata: WireMetadata;
  /** Its data layout (undefined for an empty message, e.g. a timer tick). */
  layout: DataLayout | undefined;
  /** The first `maxBytes` bytes of its payload (null: none asked, or none). */
  payload: Uint8Array | null;
  /** The whole payload's size in bytes. */
  size: number;
}

/** How a subscriber wants its copies. */
export interface TapOptions {
  /** Copies kept before the oldest is dropped. */
  queueSize?: number;
  /** Payload bytes copied per message (0: only the layout and size). */
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

/** Default bound of a tap queue of the inspection commands. */
export const TAP_QUEUE_SIZE = 1024;

/** A runtime whose outputs can be tapped and injected into. */
export interface TapSource {
  /**
   * Taps `node/output`: every message it sends is copied into the returned
   * queue. Throws a {@linkcode InjectError} for an unknown output.
   */
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
