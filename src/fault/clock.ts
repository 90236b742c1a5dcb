/**
 * Time behind a small adapter, so the fault-tolerance logic can be driven by a
 * manual clock in unit tests and by real timers in the runtime.
 *
 * @module
 */

/** A timer handle returned by {@linkcode Clock.setTimeout}. */
export type TimerId = number;

/** Wall-clock milliseconds and one-shot/periodic timers. */
export interface Clock {
  /** Milliseconds on a monotonic-enough clock. */
  now(): number;
  /** Runs `fn` once after `ms`; `background` timers never keep the process alive. */
  setTimeout(fn: () => void, ms: number, background?: boolean): TimerId;
  clearTimeout(id: TimerId): void;
  /** Runs `fn` every `ms`; interval timers never keep the process alive. */
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId): void;
}

/** The real clock: `performance.now()` and Deno timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms, background) {
    const id = setTimeout(fn, ms) as unknown as number;
    if (background) Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (id) => clearTimeout(id),
  setInterval(fn, ms) {
    const id = setInterval(fn, ms) as unknown as number;
    Deno.unrefTimer(id);
    return id;
  },
  clearInterval: (id) => clearInterval(id),
};
