/**
 * The node's local event queue (docs/protocol.md, "Direct delivery"): events
 * are handed out in the order they arrived (from the daemon, which already
 * put its control events first, and from the links to the senders), and
 * each input has a bound with its policy: `drop_oldest` drops the input's
 * oldest waiting event (counted), `backpressure` never drops and tells the
 * caller to stop reading that input's sender. `STOP(ALL_INPUTS_CLOSED)`
 * waits until everything queued before it was taken, so no data sent before
 * it is lost. The Python node API's counterpart is `_event_queue.py`.
 *
 * @module
 */

/** Backpressure inputs hold up to this many times their queue size. */
export const BACKPRESSURE_FACTOR = 10;

/** One input's settings (from the node configuration). */
export interface InputPolicy {
  queue_size?: number;
  queue_policy?: "drop_oldest" | "backpressure";
}

interface Entry<E> {
  event: E;
  /** The input of an input event; undefined for control events. */
  lane: Lane<E> | undefined;
  dropped: boolean;
}

class Lane<E> {
  /** This input's waiting entries, oldest first. */
  entries: Entry<E>[] = [];
  head = 0;
  closed = false;
  dropped = 0;
  /**
   * Made for a message that came before the input's settings (a route added
   * at run time: the link may be faster than the daemon's `routes`).
   */
  provisional = false;
  constructor(public size: number, public backpressure: boolean) {}
  get length(): number {
    return this.entries.length - this.head;
  }
  shift(): Entry<E> {
    const e = this.entries[this.head]!;
    this.entries[this.head++] = undefined as never;
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return e;
  }
  get full(): boolean {
    return this.backpressure && this.length >= this.size * BACKPRESSURE_FACTOR;
  }
}

/**
 * Events waiting to be handed to the node's code.
 *
 * @example
 * ```ts
 * const q = new EventQueue<string>({ in: { queue_size: 1 } });
 * q.pushInput("in", "a", () => {});
 * q.pushInput("in", "b", (dropped) => console.log(`dropped ${dropped}`));
 * q.take(); // "b"
 * ```
 */
export class EventQueue<E> {
  #fifo: Entry<E>[] = [];
  #head = 0;
  #live = 0;
  #lanes = new Map<string, Lane<E>>();
  #finalStop: E | undefined;
  #finalServed = false;

  constructor(inputs: Record<string, InputPolicy>) {
    for (const [id, p] of Object.entries(inputs)) this.addInput(id, p);
  }

  /**
   * Adds an input (a route added at run time); an existing one is kept, but
   * one made before its settings came takes them now.
   */
  addInput(id: string, p: InputPolicy): void {
    const known = this.#lanes.get(id);
    if (known) {
      if (known.provisional) {
        known.provisional = false;
        known.size = Math.max(1, p.queue_size ?? 10);
        known.backpressure = p.queue_policy === "backpressure";
      }
      return;
    }
    this.#lanes.set(
      id,
      new Lane(
        Math.max(1, p.queue_size ?? 10),
        p.queue_policy === "backpressure",
      ),
    );
  }

  #lane(id: string): Lane<E> {
    let lane = this.#lanes.get(id);
    if (!lane) {
      // Until its settings come, it holds its sender back rather than drop.
      this.addInput(id, { queue_policy: "backpressure" });
      lane = this.#lanes.get(id)!;
      lane.provisional = true;
    }
    return lane;
  }

  /** Events waiting (the final stop included). */
  get size(): number {
    return this.#live + (this.#finalStop !== undefined ? 1 : 0);
  }

  /** A control event (stop, node_failed, error, …): never dropped. */
  pushControl(event: E): void {
    this.#fifo.push({ event, lane: undefined, dropped: false });
    this.#live++;
  }

  /**
   * An input event. On a full `drop_oldest` input its oldest waiting event
   * is dropped and handed to `onDrop` (to release what it holds); returns
   * whether the input is now at its backpressure limit (stop reading its
   * sender until {@link isFull} turns false). An unknown input gets the
   * defaults (`queue_size` 10, `drop_oldest`).
   */
  pushInput(id: string, event: E, onDrop: (dropped: E) => void): boolean {
    const lane = this.#lane(id);
    const entry: Entry<E> = { event, lane, dropped: false };
    this.#fifo.push(entry);
    lane.entries.push(entry);
    this.#live++;
    if (!lane.backpressure && lane.length > lane.size) {
      const old = lane.shift();
      old.dropped = true;
      lane.dropped++;
      this.#live--;
      onDrop(old.event);
    }
    return lane.full;
  }

  /** Whether a backpressure input is at its limit. */
  isFull(id: string): boolean {
    return this.#lanes.get(id)?.full ?? false;
  }

  /**
   * `event` (INPUT_CLOSED) as a control event, once per input (a link's own
   * close and the daemon's may both come). Returns false when the input was
   * already closed.
   */
  closeInput(id: string, event: E): boolean {
    const lane = this.#lane(id);
    if (lane.closed) return false;
    lane.closed = true;
    this.pushControl(event);
    return true;
  }

  /** Whether input `id` was closed. */
  isClosed(id: string): boolean {
    return this.#lanes.get(id)?.closed ?? false;
  }

  /**
   * `STOP(ALL_INPUTS_CLOSED)`: handed out once everything queued before it
   * was taken (once).
   */
  pushFinalStop(event: E): void {
    if (this.#finalStop !== undefined || this.#finalServed) return;
    this.#finalStop = event;
  }

  /** Input events waiting (not yet taken). */
  get unreadInputs(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.length;
    return n;
  }

  /** Drop counts per input (only inputs that dropped something). */
  drops(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, lane] of this.#lanes) {
      if (lane.dropped > 0) out[id] = lane.dropped;
    }
    return out;
  }

  /** The next event, or `undefined` when nothing can be handed out now. */
  take(): E | undefined {
    while (this.#head < this.#fifo.length) {
      const fifo = this.#fifo;
      const entry = fifo[this.#head]!;
      fifo[this.#head++] = undefined as never;
      if (this.#head > 64 && this.#head * 2 > fifo.length) {
        this.#fifo = fifo.slice(this.#head);
        this.#head = 0;
      }
      if (entry.dropped) continue;
      // The oldest waiting entry of its input is this one.
      entry.lane?.shift();
      this.#live--;
      return entry.event;
    }
    const stop = this.#finalStop;
    if (stop !== undefined) {
      this.#finalStop = undefined;
      this.#finalServed = true;
      return stop;
    }
    return undefined;
  }
}
