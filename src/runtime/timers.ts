/**
 * Timer inputs (`dora/timer/...`): one ticker per distinct interval, shared by
 * every subscriber, started after the ready barrier. A late tick does not
 * cause a burst: missed ticks are skipped.
 *
 * @module
 */

/** Ticks of one interval, delivered to `onTick`. */
export class TimerHub {
  #intervals = new Set<bigint>();
  #handles = new Map<bigint, ReturnType<typeof setTimeout>>();
  #onTick: (intervalNs: bigint) => void;
  #running = false;

  constructor(onTick: (intervalNs: bigint) => void) {
    this.#onTick = onTick;
  }

  /** Registers an interval (idempotent); starts it at once if running. */
  add(intervalNs: bigint): void {
    if (this.#intervals.has(intervalNs)) return;
    this.#intervals.add(intervalNs);
    if (this.#running) this.#startOne(intervalNs);
  }

  /** Starts every ticker. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const i of this.#intervals) this.#startOne(i);
  }

  /** Stops every ticker. */
  stop(): void {
    this.#running = false;
    for (const h of this.#handles.values()) clearTimeout(h);
    this.#handles.clear();
  }

  #startOne(intervalNs: bigint): void {
    const period = Math.max(Number(intervalNs) / 1e6, 0.001);
    const start = performance.now();
    let k = 1;
    const arm = () => {
      const delay = Math.max(0, start + k * period - performance.now());
      this.#handles.set(intervalNs, setTimeout(fire, delay));
    };
    const fire = () => {
      if (!this.#running) return;
      this.#onTick(intervalNs);
      // Skip ticks that are already in the past.
      const elapsed = performance.now() - start;
      k = Math.max(k + 1, Math.floor(elapsed / period) + 1);
      arm();
    };
    arm();
  }
}
