/**
 * The events waiting for one receiver node: control events (never dropped,
 * served first, except that an input's `input_closed` follows the data
 * queued on it) and one bounded queue per input with its policy, served
 * fairly (least-recently-served input first).
 *
 * @module
 */
import type { InputSpec, QueuePolicy } from "../../descriptor/model.ts";

/** A message waiting in an input queue. */
export interface QueuedMessage {
  /** The `input` header sent to the node (`t`, `id`, `m`, `d`, `shm`). */
  header: Record<string, unknown>;
  payload: Uint8Array | null;
  /** Sending node (for shared-memory release accounting). */
  from: string;
  /** Shared-memory token, when the payload is a shm reference. */
  token?: string;
  /** `header` as compact JSON text, when already known (forwarded verbatim). */
  raw?: string;
  /** `header` as binary header bytes, when already known (forwarded). */
  rawBytes?: Uint8Array;
  /**
   * From another machine, on a backpressure input: `onLeave` hears when it
   * leaves the queue (its credit goes back, see remote_credits.ts).
   */
  credit?: boolean;
}

/** An event ready to be written to the node. */
export interface OutgoingEvent {
  header: Record<string, unknown>;
  payload: Uint8Array | null;
  /** Shared-memory token of an input. */
  token?: string;
  /** `header` as compact JSON text, when already known. */
  raw?: string;
  /** `header` as binary header bytes, when already known. */
  rawBytes?: Uint8Array;
}

/** Backpressure inputs buffer up to this many times their queue size. */
export const BACKPRESSURE_FACTOR = 10;

class InputQueue {
  items: QueuedMessage[] = [];
  head = 0;
  dropped = 0;
  /** Messages queued so far (for rates). */
  received = 0;
  closed = false;
  /** Closed with messages still queued: `input_closed` follows the last one. */
  closePending = false;
  lastServed = 0;
  constructor(
    readonly id: string,
    public size: number,
    public policy: QueuePolicy,
  ) {}
  get length(): number {
    return this.items.length - this.head;
  }
  shift(): QueuedMessage {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as never;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Callbacks of a {@linkcode ReceiverQueue}. */
export interface ReceiverQueueHooks {
  /** A message was dropped (queue full, drop_oldest). */
  onDrop(inputId: string, message: QueuedMessage, totalDrops: number): void;
  /** A message with `credit` left the queue (taken, dropped or cleared). */
  onLeave?(inputId: string, message: QueuedMessage): void;
}

/** Per-receiver event queues. */
export class ReceiverQueue {
  #controls: OutgoingEvent[] = [];
  #inputs = new Map<string, InputQueue>();
  #served = 0;
  #allClosedPending = false;
  #allClosedSent = false;
  #hooks: ReceiverQueueHooks;

  constructor(inputs: InputSpec[], hooks: ReceiverQueueHooks) {
    this.#hooks = hooks;
    for (const input of inputs) {
      this.#inputs.set(
        input.id,
        new InputQueue(
          input.id,
          Math.max(1, input.queueSize),
          input.queuePolicy,
        ),
      );
    }
  }

  /** Queues a control event (stop, input_closed, error, …): never dropped. */
  pushControl(header: Record<string, unknown>): void {
    this.#controls.push({ header, payload: null });
  }

  /** Queues STOP(MANUAL) ahead of inputs; no second stop follows it. */
  pushStop(): void {
    if (this.#allClosedSent) return;
    this.#allClosedSent = true;
    this.pushControl({ t: "stop", cause: "MANUAL" });
  }

  /**
   * Queues an input message. With `drop_oldest` a full queue drops its oldest
   * message (reported through `onDrop`); `backpressure` never drops.
   */
  pushInput(inputId: string, message: QueuedMessage): void {
    const q = this.#inputs.get(inputId);
    if (!q) return;
    q.received++;
    q.items.push(message);
    if (q.policy === "drop_oldest" && q.length > q.size) {
      const old = q.shift();
      q.dropped++;
      this.#hooks.onDrop(inputId, old, q.dropped);
      if (old.credit) this.#hooks.onLeave?.(inputId, old);
    }
  }

  /** The queue policy of an input (undefined for an unknown one). */
  policyOf(inputId: string): QueuePolicy | undefined {
    return this.#inputs.get(inputId)?.policy;
  }

  /**
   * Queues a message whose producer cannot be paused (node logs, stdout
   * lines): on a full backpressure input it is dropped and counted instead.
   */
  offerInput(inputId: string, message: QueuedMessage): void {
    const q = this.#inputs.get(inputId);
    if (!q) return;
    if (this.isFull(inputId)) {
      q.received++;
      q.dropped++;
      this.#hooks.onDrop(inputId, message, q.dropped);
      if (message.credit) this.#hooks.onLeave?.(inputId, message);
      return;
    }
    this.pushInput(inputId, message);
  }

  /** Whether a backpressure input is at its limit (stop reading senders). */
  isFull(inputId: string): boolean {
    const q = this.#inputs.get(inputId);
    return q !== undefined && q.policy === "backpressure" &&
      q.length >= q.size * BACKPRESSURE_FACTOR;
  }

  /** Marks an input closed and queues `input_closed`; may arm the final stop. */
  closeInput(inputId: string): void {
    const q = this.#inputs.get(inputId);
    if (!q || q.closed) return;
    q.closed = true;
    // Data already queued on the input is delivered before it is closed.
    if (q.length > 0) q.closePending = true;
    else this.pushControl({ t: "input_closed", id: inputId });
    if ([...this.#inputs.values()].every((x) => x.closed)) {
      this.#allClosedPending = true;
    }
  }

  /** Whether `take()` would return something. */
  get hasEvents(): boolean {
    if (this.#controls.length > 0) return true;
    for (const q of this.#inputs.values()) if (q.length > 0) return true;
    return this.#allClosedPending && !this.#allClosedSent;
  }

  /** Drop counts per input id. */
  drops(): Record<string, number> {
    return Object.fromEntries(
      [...this.#inputs.values()].map((q) => [q.id, q.dropped]),
    );
  }

  /** Per input: messages queued now, received so far, dropped so far. */
  stats(): { id: string; queued: number; received: number; dropped: number }[] {
    return [...this.#inputs.values()].map((q) => ({
      id: q.id,
      queued: q.length,
      received: q.received,
      dropped: q.dropped,
    }));
  }

  /** Queued input messages (for backpressure accounting and tests). */
  queued(inputId: string): number {
    return this.#inputs.get(inputId)?.length ?? 0;
  }

  /**
   * Takes up to `max` events: control events first, then inputs one at a time
   * from the least-recently-served non-empty input (none in a batch with
   * STOP). STOP(ALL_INPUTS_CLOSED)
   * comes once every input is closed and drained, so no data is overtaken.
   */
  take(max: number): OutgoingEvent[] {
    const out = this.takeControls();
    if (out.some(isStop)) return out;
    out.push(...this.takeInputs(max - out.length));
    const stop = this.takeFinalStop();
    if (stop && out.length < max) out.push(stop);
    return out;
  }

  /** Every queued control event (they are sent without waiting for `next`). */
  takeControls(): OutgoingEvent[] {
    const out = this.#controls;
    this.#controls = [];
    return out;
  }

  /** Whether a control event waits. */
  get hasControls(): boolean {
    return this.#controls.length > 0;
  }

  /** Whether an input message waits. */
  get hasInputs(): boolean {
    for (const q of this.#inputs.values()) if (q.length > 0) return true;
    return false;
  }

  /** Up to `max` input messages, least-recently-served input first. */
  takeInputs(max: number): OutgoingEvent[] {
    const out: OutgoingEvent[] = [];
    while (out.length < max) {
      let pick: InputQueue | undefined;
      for (const q of this.#inputs.values()) {
        if (q.length > 0 && (!pick || q.lastServed < pick.lastServed)) pick = q;
      }
      if (!pick) break;
      pick.lastServed = ++this.#served;
      const m = pick.shift();
      if (m.credit) this.#hooks.onLeave?.(pick.id, m);
      out.push(m);
      // The input's close follows the data queued before it.
      if (pick.closePending && pick.length === 0) {
        pick.closePending = false;
        out.push({ header: { t: "input_closed", id: pick.id }, payload: null });
      }
    }
    return out;
  }

  /**
   * STOP(ALL_INPUTS_CLOSED) once every input is closed and drained (once),
   * else `undefined`.
   */
  takeFinalStop(): OutgoingEvent | undefined {
    if (
      !this.#allClosedPending || this.#allClosedSent ||
      [...this.#inputs.values()].some((q) => q.length > 0)
    ) return undefined;
    this.#allClosedSent = true;
    return { header: { t: "stop", cause: "ALL_INPUTS_CLOSED" }, payload: null };
  }

  /**
   * New queue settings for an input (a node redefined with the same source
   * but another `queue_size` / `queue_policy`): it stays open, with what it
   * holds; a smaller `drop_oldest` queue drops its oldest at the next push.
   */
  retune(inputId: string, size: number, policy: QueuePolicy): void {
    const q = this.#inputs.get(inputId);
    if (!q) return;
    q.size = Math.max(1, size);
    q.policy = policy;
  }

  /** Adds an input (a route added at run time); an existing one is kept. */
  addInput(input: InputSpec): void {
    if (this.#inputs.has(input.id)) return;
    this.#inputs.set(
      input.id,
      new InputQueue(input.id, Math.max(1, input.queueSize), input.queuePolicy),
    );
  }

  /**
   * Forgets a closed input whose end was delivered, so that a route added
   * later under the same id opens it again (`dora node disconnect` then
   * `connect`).
   */
  reopenInput(inputId: string): void {
    const q = this.#inputs.get(inputId);
    if (!q || !q.closed || q.length > 0 || q.closePending) return;
    this.#inputs.delete(inputId);
    if (!this.#allClosedSent) this.#allClosedPending = false;
  }

  /** Removes every queued input message (node gone) and returns them. */
  clear(): QueuedMessage[] {
    const all: QueuedMessage[] = [];
    for (const q of this.#inputs.values()) {
      while (q.length > 0) {
        const m = q.shift();
        if (m.credit) this.#hooks.onLeave?.(q.id, m);
        all.push(m);
      }
    }
    this.#controls = [];
    return all;
  }
}

/**
 * Whether `event` is a STOP. STOP goes without inputs behind it: a node that
 * stops reading at STOP leaves them in the queue, where they are counted as
 * undelivered, instead of in its own buffer, where they would vanish
 * uncounted.
 */
export function isStop(event: OutgoingEvent): boolean {
  return event.header.t === "stop";
}
