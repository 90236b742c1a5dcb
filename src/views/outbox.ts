/**
 * A viewer's outgoing queue: the WebSocket's own send buffer, bounded. While
 * a viewer reads slower than dora writes, what can be skipped (message
 * copies, log batches, snapshots replaced by the next one) is dropped and
 * counted so the viewer can be told; a viewer that stops reading altogether
 * is disconnected before its buffer grows without bound. Nothing here ever
 * waits, so a slow viewer costs the dataflow nothing.
 *
 * @module
 */

/** Limits of an {@linkcode Outbox}. */
export interface OutboxLimits {
  /** Unsent bytes past which skippable messages are dropped. */
  softBytes: number;
  /** Unsent bytes past which the viewer is disconnected. */
  hardBytes: number;
}

/** Default limits: 4 MiB soft, 64 MiB hard. */
export const DEFAULT_OUTBOX: OutboxLimits = {
  softBytes: 4 * 1024 * 1024,
  hardBytes: 64 * 1024 * 1024,
};

/** The sending end of one viewer's WebSocket. */
export class Outbox {
  readonly ws: WebSocket;
  readonly limits: OutboxLimits;
  #dropped = 0;
  #droppedTotal = 0;

  constructor(ws: WebSocket, limits: OutboxLimits = DEFAULT_OUTBOX) {
    this.ws = ws;
    this.limits = limits;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Whether skippable messages are being dropped now. */
  get congested(): boolean {
    return this.ws.bufferedAmount > this.limits.softBytes;
  }

  /**
   * Sends `data`. A skippable message (`skippable`, the default) is dropped
   * and counted while the viewer is behind; any message past the hard limit
   * disconnects the viewer. Returns whether it was sent.
   */
  send(data: string | Uint8Array, skippable = true): boolean {
    if (!this.open) return false;
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.limits.hardBytes) {
      try {
        this.ws.close(1008, "viewer too slow: its send buffer is full");
      } catch {
        // already closing
      }
      return false;
    }
    if (skippable && buffered > this.limits.softBytes) {
      this.#dropped++;
      this.#droppedTotal++;
      return false;
    }
    try {
      this.ws.send(data as string);
      return true;
    } catch {
      return false;
    }
  }

  /** Messages dropped since the last call. */
  takeDropped(): number {
    const n = this.#dropped;
    this.#dropped = 0;
    return n;
  }

  /** Messages dropped in all. */
  get droppedTotal(): number {
    return this.#droppedTotal;
  }
}
