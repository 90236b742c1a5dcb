/**
 * The grammar of input sources: `node/output`, `dora/timer/<unit>/<N>`,
 * `dora/logs[/<level>[/<node>]]`.
 *
 * @module
 */
import type { InputSource } from "./model.ts";
import { LOG_LEVELS, type LogLevel } from "../logs/levels.ts";
import { dataIdProblem, nodeIdProblem } from "./ids.ts";
import { didYouMean } from "./suggest.ts";

export { LOG_LEVELS };

const UNIT_NS: Record<string, bigint> = {
  secs: 1_000_000_000n,
  millis: 1_000_000n,
  micros: 1_000n,
  nanos: 1n,
};
const TIMER_UNITS = [...Object.keys(UNIT_NS), "hz"];

/** A parsed source, or the reason it is invalid. */
export type ParsedSource =
  | { ok: true; source: InputSource }
  | { ok: false; message: string };

/**
 * Parses an input source as written in the descriptor.
 *
 * @example
 * ```ts
 * parseInputSource("dora/timer/millis/100");
 * // { ok: true, source: { kind: "timer", intervalNs: 100000000n, text: "dora/timer/millis/100" } }
 * ```
 */
export function parseInputSource(text: string): ParsedSource {
  const fail = (message: string): ParsedSource => ({ ok: false, message });
  const slash = text.indexOf("/");
  if (slash < 0) {
    return fail(
      `source "${text}" must be of the form <node>/<output> (or dora/timer/..., dora/logs)`,
    );
  }
  const head = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  if (head === "dora") return parseDoraSource(text, rest);
  const nodeProblem = nodeIdProblem(head);
  if (nodeProblem) {
    return fail(`node id "${head}" in source "${text}" ${nodeProblem}`);
  }
  const dataProblem = dataIdProblem(rest);
  if (dataProblem) {
    return fail(`output id "${rest}" in source "${text}" ${dataProblem}`);
  }
  return { ok: true, source: { kind: "node", node: head, output: rest } };
}

function parseDoraSource(text: string, rest: string): ParsedSource {
  const fail = (message: string): ParsedSource => ({ ok: false, message });
  const parts = rest.split("/");
  const kind = parts[0]!;
  if (kind === "timer") {
    const [, unit, value, ...extra] = parts;
    if (unit === undefined || value === undefined || extra.length > 0) {
      return fail(
        `timer source "${text}" must be dora/timer/<unit>/<N> with unit secs, millis, micros, nanos or hz`,
      );
    }
    if (!TIMER_UNITS.includes(unit)) {
      return fail(
        `unknown timer unit "${unit}" in "${text}" (expected secs, millis, micros, nanos or hz)${
          didYouMean(unit, TIMER_UNITS)
        }`,
      );
    }
    if (unit === "hz") {
      const hz = /^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)
        ? Number(value)
        : NaN;
      if (!Number.isFinite(hz) || hz <= 0) {
        return fail(
          `timer frequency in "${text}" must be a number greater than 0, got "${value}"`,
        );
      }
      const ns = Math.round(1e9 / hz);
      if (ns < 1) return fail(`timer interval of "${text}" must be non-zero`);
      return {
        ok: true,
        source: { kind: "timer", intervalNs: BigInt(ns), text },
      };
    }
    if (!/^\d+$/.test(value)) {
      return fail(
        `timer interval in "${text}" must be a whole number of ${unit}, got "${value}"`,
      );
    }
    const n = BigInt(value);
    if (n === 0n) return fail(`timer interval of "${text}" must be non-zero`);
    return {
      ok: true,
      source: { kind: "timer", intervalNs: n * UNIT_NS[unit]!, text },
    };
  }
  if (kind === "logs") {
    const [, level, node, ...extra] = parts;
    if (extra.length > 0) {
      return fail(`log source "${text}" must be dora/logs[/<level>[/<node>]]`);
    }
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
      return fail(
        `unknown log level "${level}" in "${text}" (expected ${
          LOG_LEVELS.join(", ")
        })${didYouMean(level, LOG_LEVELS)}`,
      );
    }
    if (node !== undefined) {
      const problem = nodeIdProblem(node);
      if (problem) return fail(`node id "${node}" in "${text}" ${problem}`);
    }
    return {
      ok: true,
      source: {
        kind: "logs",
        ...(level === undefined ? {} : { level: level as LogLevel }),
        ...(node === undefined ? {} : { node }),
      },
    };
  }
  return fail(
    `unknown dora input "${kind}" in "${text}" (expected dora/timer/... or dora/logs)${
      didYouMean(kind, ["timer", "logs"])
    }`,
  );
}

/** The coarsest exact unit for a timer interval, e.g. `millis/100`. */
export function formatInterval(ns: bigint): string {
  for (const unit of ["secs", "millis", "micros"] as const) {
    const u = UNIT_NS[unit]!;
    if (ns % u === 0n) return `${unit}/${ns / u}`;
  }
  return `nanos/${ns}`;
}

/** Timers slower than this fire so rarely that it is likely a mistake. */
const LONGEST_SENSIBLE_NS = 24n * 3600n * 1_000_000_000n;
/** Timers faster than this fire more often than a node can take inputs. */
const SHORTEST_SENSIBLE_NS = 100_000n;

/**
 * Why a timer interval looks like a mistake (a warning, not an error), or
 * undefined: longer than a day, or shorter than 100 µs (over 10 000 ticks a
 * second).
 *
 * @example
 * ```ts
 * timerIntervalWarning(3_000_000n * 1_000_000_000n); // "fires only every 34.7 days …"
 * timerIntervalWarning(100_000_000n); // undefined
 * ```
 */
export function timerIntervalWarning(ns: bigint): string | undefined {
  if (ns > LONGEST_SENSIBLE_NS) {
    const days = Number(ns / 1_000_000n) / 86_400_000;
    return `the timer fires only every ${
      days.toFixed(1)
    } days: is the unit right (secs, millis, micros, nanos)?`;
  }
  if (ns < SHORTEST_SENSIBLE_NS) {
    const perSecond = Math.round(1e9 / Number(ns));
    return `the timer would fire ${perSecond} times a second, more than a node can take: ticks are skipped while the receiver is busy; is the unit right?`;
  }
  return undefined;
}
