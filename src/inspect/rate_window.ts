/**
 * Publish-rate statistics of one topic over a sliding window (`topic hz`,
 * `topic info`): period average, minimum, maximum and standard deviation,
 * the rate, a per-second rate history and a histogram of periods.
 *
 * Periods come from the senders' timestamps (HLC, ns), so batching on the
 * way to the CLI does not distort them; the window slides on the local
 * arrival clock, so a topic that goes quiet decays to 0 Hz.
 *
 * @module
 */

/** Statistics of one window. */
export interface RateStats {
  /** Messages that arrived in the window (lost ones excluded). */
  count: number;
  /** Messages the subscriber lost in the window (queue full). */
  lost: number;
  /** Publish rate: 1 / average period (0 with fewer than two messages). */
  hz: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  stdMs: number;
  /** Payload bytes per second over the window. */
  bytesPerSec: number;
}

interface Entry {
  arrival: number;
  /** Period to the previous message in ms, or NaN when unknown (first, or after a loss). */
  period: number;
  bytes: number;
  lost: number;
}

/**
 * A sliding window of arrivals.
 *
 * @example
 * ```ts
 * const w = new RateWindow(10_000);
 * w.add(1_000_000_000n, 0);          // sender ts (ns), arrival (ms)
 * w.add(1_100_000_000n, 100);
 * w.stats(100).hz;                   // 10
 * ```
 */
export class RateWindow {
  readonly windowMs: number;
  #entries: Entry[] = [];
  #head = 0;
  #lastTs?: bigint;
  /** Arrivals per whole second (local clock), for the history. */
  #perSecond = new Map<number, number>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /**
   * Adds a message: its sender timestamp (ns), arrival (ms, local clock),
   * payload size, and how many messages were lost just before it (the period
   * across a loss is unknown, so it is left out).
   */
  add(ts: bigint, arrivalMs: number, bytes = 0, lostBefore = 0): void {
    const period = this.#lastTs !== undefined && lostBefore === 0 &&
        ts > this.#lastTs
      ? Number(ts - this.#lastTs) / 1e6
      : NaN;
    this.#lastTs = ts;
    this.#entries.push({ arrival: arrivalMs, period, bytes, lost: lostBefore });
    const sec = Math.floor(arrivalMs / 1000);
    this.#perSecond.set(sec, (this.#perSecond.get(sec) ?? 0) + 1 + lostBefore);
  }

  /** Drops arrivals older than the window (relative to `nowMs`). */
  #evict(nowMs: number): void {
    const from = nowMs - this.windowMs;
    while (
      this.#head < this.#entries.length &&
      this.#entries[this.#head]!.arrival < from
    ) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    const oldest = Math.floor(from / 1000) - 120;
    for (const sec of this.#perSecond.keys()) {
      if (sec < oldest) this.#perSecond.delete(sec);
    }
  }

  /** Statistics of the window ending at `nowMs`. */
  stats(nowMs: number): RateStats {
    this.#evict(nowMs);
    let count = 0;
    let lost = 0;
    let bytes = 0;
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = 0;
    for (let i = this.#head; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      count++;
      lost += e.lost;
      bytes += e.bytes;
      if (Number.isNaN(e.period)) continue;
      n++;
      sum += e.period;
      sumSq += e.period * e.period;
      if (e.period < min) min = e.period;
      if (e.period > max) max = e.period;
    }
    const avg = n > 0 ? sum / n : 0;
    const variance = n > 0 ? Math.max(0, sumSq / n - avg * avg) : 0;
    return {
      count,
      lost,
      hz: avg > 0 ? 1000 / avg : 0,
      avgMs: avg,
      minMs: n > 0 ? min : 0,
      maxMs: max,
      stdMs: Math.sqrt(variance),
      bytesPerSec: bytes / (this.windowMs / 1000),
    };
  }

  /**
   * Messages per second (received and lost) for each of the last `seconds`
   * whole seconds before `nowMs`, oldest first.
   */
  rateHistory(nowMs: number, seconds: number): number[] {
    const last = Math.floor(nowMs / 1000) - 1;
    const out: number[] = [];
    for (let s = last - seconds + 1; s <= last; s++) {
      out.push(this.#perSecond.get(s) ?? 0);
    }
    return out;
  }

  /**
   * A histogram of the periods in the window: `bins` equal bins between the
   * minimum and maximum period.
   */
  histogram(
    nowMs: number,
    bins: number,
  ): { edgesMs: number[]; counts: number[] } {
    this.#evict(nowMs);
    const periods: number[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const p = this.#entries[i]!.period;
      if (!Number.isNaN(p)) periods.push(p);
    }
    if (periods.length === 0) return { edgesMs: [], counts: [] };
    const lo = Math.min(...periods);
    const hi = Math.max(...periods);
    const width = hi > lo ? (hi - lo) / bins : 1;
    const counts = new Array<number>(hi > lo ? bins : 1).fill(0);
    for (const p of periods) {
      counts[Math.min(counts.length - 1, Math.floor((p - lo) / width))]++;
    }
    const edgesMs = counts.map((_, i) => lo + i * width);
    return { edgesMs, counts };
  }
}

const BARS = "▁▂▃▄▅▆▇█";

/** A sparkline of `values` scaled to their maximum (`▁▃█▅`). */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) =>
    max <= 0 ? " " : BARS[Math.min(7, Math.round((v / max) * 7))]!
  ).join("");
}
