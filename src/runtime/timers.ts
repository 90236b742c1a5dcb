/**
 * Timer inputs (`dora/timer/...`): one ticker per distinct interval, shared
 * by every subscriber, started after the ready barrier.
 *
 * The tickers run in a worker thread that sleeps until each deadline with
 * `Atomics.wait` (a timed futex wait: sub-millisecond, where a chain of
 * `setTimeout`s runs only a few hundred times a second) and posts the due
 * ticks to the runtime. Deadlines are fixed (`start + k · period`), so the
 * rate holds; a late wake-up delivers the ticks it owes when they are at
 * most {@link catchUpTicks} periods late (100 ms worth, at least
 * {@link CATCH_UP} and at most {@link CATCH_UP_MAX} ticks: a busy machine
 * often stalls a process for a few milliseconds, which must not cost a 1 kHz
 * timer its rate), and counts them as missed otherwise (one tick is still
 * delivered): a long stall neither goes unnoticed nor turns into a flood.
 * Counts are in the run summary (`timers`).
 *
 * @module
 */

/** Ticks owed after a late wake-up that are always delivered (not missed). */
export const CATCH_UP = 10;
/** How late owed ticks may be and still be delivered, in milliseconds. */
export const CATCH_UP_MS = 100;
/** The most owed ticks delivered after one late wake-up. */
export const CATCH_UP_MAX = 1000;

/** Owed ticks still delivered for a period of `periodMs` (see the module). */
export function catchUpTicks(periodMs: number): number {
  return Math.min(
    CATCH_UP_MAX,
    Math.max(CATCH_UP, Math.ceil(CATCH_UP_MS / periodMs)),
  );
}

/** What one interval's ticker did. */
export interface TimerStats {
  /** The interval in nanoseconds. */
  intervalNs: bigint;
  /** Ticks delivered to the runtime. */
  ticks: number;
  /** Ticks that were too late and were skipped. */
  missed: number;
}

/**
 * The ticks owed at `now` by a ticker whose next deadline is `next`: how
 * many to deliver, how many were missed, and the next deadline after them.
 * Runs in the ticker thread (its source is copied there).
 */
export function owedTicks(
  now: number,
  next: number,
  period: number,
  catchUp: number,
): { deliver: number; missed: number; next: number } {
  if (next > now) return { deliver: 0, missed: 0, next };
  const owed = Math.floor((now - next) / period) + 1;
  const after = next + owed * period;
  return owed <= catchUp
    ? { deliver: owed, missed: 0, next: after }
    : { deliver: 1, missed: owed - 1, next: after };
}

const WORKER_SOURCE = `
const CATCH_UP = ${CATCH_UP};
const CATCH_UP_MS = ${CATCH_UP_MS};
const CATCH_UP_MAX = ${CATCH_UP_MAX};
const catchUpTicks = ${catchUpTicks.toString()};
const owedTicks = ${owedTicks.toString()};
self.onmessage = (e) => {
  const { periods, stop } = e.data;
  const catchUp = periods.map(catchUpTicks);
  const flag = new Int32Array(stop);
  const start = performance.now();
  const next = periods.map((p) => start + p);
  for (;;) {
    let due = Infinity;
    for (const n of next) if (n < due) due = n;
    const wait = due - performance.now();
    if (wait > 0 && Atomics.wait(flag, 0, 0, wait) === "not-equal") return;
    if (Atomics.load(flag, 0) !== 0) return;
    const now = performance.now();
    for (let i = 0; i < periods.length; i++) {
      const o = owedTicks(now, next[i], periods[i], catchUp[i]);
      next[i] = o.next;
      if (o.deliver > 0) self.postMessage([i, o.deliver, o.missed]);
    }
  }
};
`;

/** Ticks of each interval, delivered to `onTick` on the runtime's thread. */
export class TimerHub {
  #intervals: bigint[] = [];
  #stats = new Map<bigint, TimerStats>();
  #onTick: (intervalNs: bigint) => void;
  #worker: Worker | null = null;
  #stop: Int32Array | null = null;
  #running = false;

  constructor(onTick: (intervalNs: bigint) => void) {
    this.#onTick = onTick;
  }

  /** Registers an interval (idempotent); restarts the tickers if running. */
  add(intervalNs: bigint): void {
    if (this.#stats.has(intervalNs)) return;
    this.#intervals.push(intervalNs);
    this.#stats.set(intervalNs, { intervalNs, ticks: 0, missed: 0 });
    if (this.#running) {
      this.#halt();
      this.#launch();
    }
  }

  /** Starts every ticker. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#launch();
  }

  /** Stops every ticker. */
  stop(): void {
    this.#running = false;
    this.#halt();
  }

  /** What each interval's ticker did so far. */
  stats(): TimerStats[] {
    return [...this.#stats.values()].map((s) => ({ ...s }));
  }

  #launch(): void {
    if (this.#intervals.length === 0) return;
    const intervals = [...this.#intervals];
    const url = URL.createObjectURL(
      new Blob([WORKER_SOURCE], { type: "application/javascript" }),
    );
    const worker = new Worker(url, { type: "module" });
    URL.revokeObjectURL(url);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    worker.onmessage = (e: MessageEvent<[number, number, number]>) => {
      if (this.#worker !== worker) return;
      const [i, n, missed] = e.data;
      const interval = intervals[i];
      const s = this.#stats.get(interval)!;
      s.missed += missed;
      for (let k = 0; k < n && this.#worker === worker; k++) {
        s.ticks++;
        this.#onTick(interval);
      }
    };
    worker.postMessage({
      // At least 1 µs: a nanosecond interval ticks as fast as it can.
      periods: intervals.map((ns) => Math.max(Number(ns) / 1e6, 0.001)),
      stop: stop.buffer,
    });
    this.#worker = worker;
    this.#stop = stop;
  }

  #halt(): void {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = null;
    if (this.#stop) {
      Atomics.store(this.#stop, 0, 1);
      Atomics.notify(this.#stop, 0);
    }
    worker.terminate();
  }
}
