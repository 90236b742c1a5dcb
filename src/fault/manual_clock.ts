/**
 * A clock that only moves when told to: drives the fault logic
 * deterministically in unit tests.
 *
 * @module
 */
import type { Clock, TimerId } from "./clock.ts";

interface Pending {
  id: TimerId;
  at: number;
  fn: () => void;
  every?: number;
}

/**
 * A {@linkcode Clock} whose time advances with {@linkcode ManualClock.advance},
 * firing due timers in order.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * clock.setTimeout(() => console.log("fired"), 100);
 * clock.advance(100); // prints "fired"
 * ```
 */
export class ManualClock implements Clock {
  #now = 0;
  #next = 1;
  #timers = new Map<TimerId, Pending>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers.delete(id);
  }

  setInterval(fn: () => void, ms: number): TimerId {
    const every = Math.max(1, ms);
    const id = this.#next++;
    this.#timers.set(id, { id, at: this.#now + every, fn, every });
    return id;
  }

  clearInterval(id: TimerId): void {
    this.#timers.delete(id);
  }

  /** Number of timers still scheduled. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: Pending | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= end && (due === undefined || t.at < due.at)) due = t;
      }
      if (due === undefined) break;
      this.#now = due.at;
      if (due.every !== undefined) due.at += due.every;
      else this.#timers.delete(due.id);
      due.fn();
    }
    this.#now = end;
  }
}
