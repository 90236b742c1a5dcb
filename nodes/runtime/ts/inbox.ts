/**
 * The events waiting for one operator, with a node's queue semantics: control
 * events first and never dropped (but `INPUT_CLOSED` of an input comes after
 * its queued data); one bounded queue per input
 * (`queue_size`; `drop_oldest` drops the oldest, `backpressure` holds ten
 * times as many before it drops), served least-recently-served input first;
 * `STOP` with cause `ALL_INPUTS_CLOSED` once every input is closed and
 * drained; then the end.
 *
 * @module
 */
import type { Event, InputEvent } from "../../api/ts/mod.ts";
import type { OperatorInputConfig } from "./config.ts";

/** A `backpressure` input holds this many times its queue size. */
export const BACKPRESSURE_FACTOR = 10;

class InputQueue {
  items: InputEvent[] = [];
  /** `backpressure`: a sender may wait for room instead of dropping. */
  backpressure = false;
  closed = false;
  /** Closed with data still queued: `INPUT_CLOSED` follows the last of it. */
  closePending = false;
  dropped = 0;
  lastServed = 0;
  constructor(readonly id: string, readonly cap: number) {}
}

/** One operator's pending events. */
export class Inbox {
  #controls: Event[] = [];
  #inputs = new Map<string, InputQueue>();
  #served = 0;
  #allClosed = false;
  #ended = false;
  #waiter: (() => void) | null = null;
  #spaceWaiters: (() => void)[] = [];
  #onDrop: (input: string, total: number, cap: number) => void;

  constructor(
    inputs: Record<string, OperatorInputConfig>,
    onDrop: (input: string, total: number, cap: number) => void,
  ) {
    this.#onDrop = onDrop;
    for (const [id, c] of Object.entries(inputs)) {
      const size = Math.max(1, c.queue_size);
      const backpressure = c.queue_policy === "backpressure";
      const q = new InputQueue(
        id,
        backpressure ? size * BACKPRESSURE_FACTOR : size,
      );
      q.backpressure = backpressure;
      this.#inputs.set(id, q);
    }
  }

  /** Whether no more events will come (after `end()` and draining). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Input ids of this inbox. */
  get inputIds(): string[] {
    return [...this.#inputs.keys()];
  }

  /** Whether input `id` still receives data. */
  isOpen(id: string): boolean {
    const q = this.#inputs.get(id);
    return q !== undefined && !q.closed;
  }

  /** Queues a control event (never dropped). */
  control(event: Event): void {
    if (this.#ended) return;
    this.#controls.push(event);
    this.#wake();
  }

  /** Queues an input; a full queue drops (and releases) its oldest event. */
  push(input: string, event: InputEvent): void {
    const q = this.#inputs.get(input);
    if (!q || q.closed || this.#ended) {
      event.release();
      return;
    }
    q.items.push(event);
    if (q.items.length > q.cap) {
      q.items.shift()!.release();
      q.dropped++;
      this.#onDrop(input, q.dropped, q.cap);
    }
    this.#wake();
  }

  /** Whether `input` is a full `backpressure` queue (the sender should wait for room). */
  isFull(input: string): boolean {
    const q = this.#inputs.get(input);
    return q !== undefined && q.backpressure && q.items.length >= q.cap &&
      !this.#ended;
  }

  /** Resolves once `input` has room again (or the inbox ended). */
  room(input: string): Promise<void> {
    if (!this.isFull(input) || this.#ended) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Closes an input: `INPUT_CLOSED`, and `STOP` once all are closed and drained. */
  close(input: string): void {
    const q = this.#inputs.get(input);
    if (!q || q.closed || this.#ended) return;
    q.closed = true;
    if (q.items.length > 0) q.closePending = true;
    else this.#controls.push({ type: "INPUT_CLOSED", id: input });
    if ([...this.#inputs.values()].every((x) => x.closed)) {
      this.#allClosed = true;
    }
    this.#wake();
  }

  /** `STOP` ahead of queued inputs (which are released), then the end. */
  stop(event: Event): void {
    if (this.#ended) return;
    for (const q of this.#inputs.values()) {
      for (const e of q.items) e.release();
      q.items = [];
    }
    this.#controls.push(event);
    this.#allClosed = false;
    this.#endAfterControls = true;
    this.#wake();
  }

  #endAfterControls = false;

  /** Drops everything and ends (the operator is gone). */
  end(): void {
    for (const q of this.#inputs.values()) {
      for (const e of q.items) e.release();
      q.items = [];
    }
    this.#controls = [];
    this.#ended = true;
    this.#wake();
    this.#wakeSpace();
  }

  /** Drop counts per input. */
  drops(): Record<string, number> {
    return Object.fromEntries(
      [...this.#inputs.values()].map((q) => [q.id, q.dropped]),
    );
  }

  /** The next event without waiting: `undefined` when none is ready, `null` at the end. */
  take(): Event | null | undefined {
    if (this.#ended) return null;
    const c = this.#controls.shift();
    if (c) return c;
    if (this.#endAfterControls) {
      this.#ended = true;
      return null;
    }
    let pick: InputQueue | undefined;
    for (const q of this.#inputs.values()) {
      if (q.items.length > 0 && (!pick || q.lastServed < pick.lastServed)) {
        pick = q;
      }
    }
    if (pick) {
      pick.lastServed = ++this.#served;
      const e = pick.items.shift()!;
      if (pick.closePending && pick.items.length === 0) {
        pick.closePending = false;
        this.#controls.push({ type: "INPUT_CLOSED", id: pick.id });
      }
      if (this.#spaceWaiters.length > 0) this.#wakeSpace();
      return e;
    }
    if (this.#allClosed) {
      this.#allClosed = false;
      this.#endAfterControls = true;
      return { type: "STOP", cause: "ALL_INPUTS_CLOSED" };
    }
    return undefined;
  }

  /** The next event, waiting for one; `null` at the end. */
  async next(): Promise<Event | null> {
    for (;;) {
      const e = this.take();
      if (e !== undefined) return e;
      await new Promise<void>((resolve) => this.#waiter = resolve);
    }
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  #wakeSpace(): void {
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const w of waiters) w();
  }
}
