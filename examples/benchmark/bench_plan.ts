/**
 * The benchmark plan shared by the TypeScript sender and sink (the same as
 * bench_plan.py; see docs/benchmark.md).
 *
 * @module
 */

/** Payload sizes in bytes, as in the original dora benchmark (plus 40 MB). */
export const SIZES = [
  0,
  8,
  64,
  512,
  2048,
  4096,
  16384,
  40960,
  409600,
  4096000,
  40960000,
];
/** The sizes of the quick mode (BENCH_QUICK=1). */
export const QUICK_SIZES = [0, 8, 4096, 409600];

/** What the sender does. */
export interface Plan {
  sizes: number[];
  latencyN: number;
  /** Messages of the throughput phase for a size (see `throughputN()`). */
  throughputN: (size: number) => number;
  gapMs: number;
  pauseMs: number;
}

/** Sizes up to this many bytes get the long throughput phase. */
export const SMALL = 4096;
/** Sizes up to this many bytes get the longest one (the 8-byte target). */
export const TINY = 64;

/**
 * Messages per throughput phase: 100 like the original, but small messages
 * need many more for a stable rate (100 messages at 100 000 msg/s last 1 ms,
 * less than one scheduling hiccup), and the first tens of thousands run
 * while the JIT warms up. BENCH_THROUGHPUT_N sets every size.
 */
export function throughputN(size: number, quick: boolean): number {
  const fixed = Deno.env.get("BENCH_THROUGHPUT_N");
  if (fixed) return Number(fixed);
  if (quick) return size <= SMALL ? 2000 : 20;
  return size <= TINY ? 200_000 : size <= SMALL ? 50_000 : 100;
}

/** The plan for this run (BENCH_QUICK=1 shrinks it for the test suite). */
export function plan(): Plan {
  const quick = !["", "0"].includes(Deno.env.get("BENCH_QUICK") ?? "");
  const sizes = Deno.env.get("BENCH_SIZES");
  return {
    sizes: sizes ? sizes.split(",").map(Number) : quick ? QUICK_SIZES : SIZES,
    latencyN: quick ? 20 : 100,
    throughputN: (size) => throughputN(size, quick),
    gapMs: 5,
    pauseMs: Number(Deno.env.get("BENCH_PAUSE_MS") ?? (quick ? 50 : 500)),
  };
}

/** The original's labels: integer division (4 096 000 B is "3MB"). */
export function label(size: number): string {
  if (size >= 1024 * 1024) return `${Math.floor(size / 1024 / 1024)}MB`;
  if (size >= 1024) return `${Math.floor(size / 1024)}KB`;
  return `${size}B`;
}

/** Wall clock in ns since the epoch (the same clock as the node API's HLC). */
export function wallClockNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n +
    BigInt(Math.floor((ms - whole) * 1_000_000));
}
