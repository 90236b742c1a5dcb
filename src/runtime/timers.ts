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

// The ticker thread: one per process, shared by every hub (a daemon runs
// several dataflows). Each hub's periods come in a message; a message is
// announced by bumping `ctl[0]` first, which ends the wait of the tick loop
// so that the message is taken at once.
const WORKER_SOURCE = `
const CATCH_UP = ${CATCH_UP};
const CATCH_UP_MS = ${CATCH_UP_MS};
const CATCH_UP_MAX = ${CATCH_UP_MAX};
const catchUpTicks = ${catchUpTicks.toString()};
const owedTicks = ${owedTicks.toString()};
let ctl = null;
let applied = 0;
const hubs = new Map();
self.onmessage = (e) => {
  const m = e.data;
  if (m.op === "init") {
    ctl = new Int32Array(m.ctl);
    return;
  }
  applied = m.version;
  if (m.periods.length === 0) hubs.delete(m.hub);
  else {
    const start = performance.now();
    hubs.set(m.hub, {
      gen: m.gen,
      periods: m.periods,
      catchUp: m.periods.map(catchUpTicks),
      next: m.periods.map((p) => start + p),
    });
  }
  for (;;) {
    if (Atomics.load(ctl, 0) !== applied || hubs.size === 0) return;
    let due = Infinity;
    for (const h of hubs.values()) for (const n of h.next) if (n < due) due = n;
    const wait = due - performance.now();
    if (wait > 0) {
      Atomics.wait(ctl, 0, applied, wait);
      continue;
    }
    const now = performance.now();
    for (const [id, h] of hubs) {
      for (let i = 0; i < h.periods.length; i++) {
        const o = owedTicks(now, h.next[i], h.periods[i], h.catchUp[i]);
        h.next[i] = o.next;
        if (o.deliver > 0) self.postMessage([id, h.gen, i, o.deliver, o.missed]);
      }
    }
  }
};
`;

type TickSink = (gen: number, i: number, n: number, missed: number) => void;

/** The process's ticker thread (see WORKER_SOURCE). */
class TickerThread {
  #worker: Worker;
  #ctl = new Int32Array(new SharedArrayBuffer(4));
  #version = 0;
  #sinks = new Map<number, TickSink>();
  #active = new Set<number>();
  #nextId = 1;
  /** Kept for the process's life (created before `--rt` locked memory). */
  keep = false;

  constructor() {
    const url = URL.createObjectURL(
      new Blob([WORKER_SOURCE], { type: "application/javascript" }),
    );
    this.#worker = new Worker(url, { type: "module" });
    URL.revokeObjectURL(url);
    this.#worker.postMessage({ op: "init", ctl: this.#ctl.buffer });
    this.#worker.onmessage = (
      e: MessageEvent<[number, number, number, number, number]>,
    ) => {
      const [hub, gen, i, n, missed] = e.data;
      this.#sinks.get(hub)?.(gen, i, n, missed);
    };
  }

  register(sink: TickSink): number {
    const id = this.#nextId++;
    this.#sinks.set(id, sink);
    return id;
  }

  /** Ticks `periods` (ms) for `hub` from now on; none: the hub is idle. */
  set(hub: number, gen: number, periods: number[]): void {
    if (periods.length) this.#active.add(hub);
    else this.#active.delete(hub);
    const version = ++this.#version;
    Atomics.store(this.#ctl, 0, version);
    Atomics.notify(this.#ctl, 0);
    this.#worker.postMessage({ hub, gen, periods, version });
  }

  get idle(): boolean {
    return this.#active.size === 0;
  }

  terminate(): void {
    Atomics.store(this.#ctl, 0, ++this.#version);
    Atomics.notify(this.#ctl, 0);
    this.#worker.terminate();
  }
}

let thread: TickerThread | null = null;

function tickerThread(): TickerThread {
  return thread ??= new TickerThread();
}

/**
 * Starts the ticker thread now and keeps it for the process's life. `--rt`
 * calls this before it locks memory: V8 cannot start a thread's isolate
 * once every new mapping is locked (it aborts), so none may start later.
 */
export function prepareTimerThread(): void {
  tickerThread().keep = true;
}

/** Ticks of each interval, delivered to `onTick` on the runtime's thread. */
export class TimerHub {
  #intervals: bigint[] = [];
  #stats = new Map<bigint, TimerStats>();
  #onTick: (intervalNs: bigint) => void;
  #thread: TickerThread | null = null;
  #hub = 0;
  #gen = 0;
  #launched: bigint[] = [];
  #running = false;

  constructor(onTick: (intervalNs: bigint) => void) {
    this.#onTick = onTick;
  }

  /** Registers an interval (idempotent); restarts the tickers if running. */
  add(intervalNs: bigint): void {
    if (this.#stats.has(intervalNs)) return;
    this.#intervals.push(intervalNs);
    this.#stats.set(intervalNs, { intervalNs, ticks: 0, missed: 0 });
    if (this.#running) this.#launch();
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
    const t = tickerThread();
    if (this.#thread !== t) {
      this.#thread = t;
      this.#hub = t.register((gen, i, n, missed) =>
        this.#ticks(gen, i, n, missed)
      );
    }
    this.#launched = [...this.#intervals];
    this.#gen++;
    t.set(
      this.#hub,
      this.#gen,
      // At least 1 µs: a nanosecond interval ticks as fast as it can.
      this.#launched.map((ns) => Math.max(Number(ns) / 1e6, 0.001)),
    );
  }

  #ticks(gen: number, i: number, n: number, missed: number): void {
    if (gen !== this.#gen || !this.#running) return; // of an older launch
    const interval = this.#launched[i];
    const s = this.#stats.get(interval)!;
    s.missed += missed;
    for (let k = 0; k < n && gen === this.#gen && this.#running; k++) {
      s.ticks++;
      this.#onTick(interval);
    }
  }

  #halt(): void {
    const t = this.#thread;
    if (!t || t !== thread) return;
    this.#gen++;
    t.set(this.#hub, this.#gen, []);
    if (t.idle && !t.keep) {
      // No hub ticks: the thread ends (a Worker keeps a process alive).
      t.terminate();
      thread = null;
    }
  }
}
