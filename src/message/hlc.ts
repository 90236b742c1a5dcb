/**
 * Hybrid logical clock: nanoseconds since the Unix epoch as a `bigint` that
 * never goes backwards, `max(now, last + 1, received + 1)`.
 *
 * @module
 */

/** Wall clock in ns since the epoch (sub-microsecond resolution from `performance`). */
export function wallClockNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n +
    BigInt(Math.floor((ms - whole) * 1_000_000));
}

/**
 * A hybrid logical clock.
 *
 * @example
 * ```ts
 * const clock = new HybridLogicalClock();
 * const t1 = clock.now();
 * clock.update(receivedTs);          // on every received message
 * const t2 = clock.now();            // t2 > t1 and t2 > receivedTs
 * ```
 */
export class HybridLogicalClock {
  #last = 0n;
  #wall: () => bigint;

  /** `wall` is injectable for tests. */
  constructor(wall: () => bigint = wallClockNs) {
    this.#wall = wall;
  }

  /** A new timestamp for a sent message: `max(now, last + 1)`. */
  now(): bigint {
    const wall = this.#wall();
    this.#last = wall > this.#last ? wall : this.#last + 1n;
    return this.#last;
  }

  /** Folds in a received timestamp: afterwards `now()` is greater than it. */
  update(received: bigint): void {
    if (received > this.#last) this.#last = received;
  }

  /** The last timestamp handed out or received. */
  get last(): bigint {
    return this.#last;
  }
}
