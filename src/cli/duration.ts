/**
 * Human durations on the command line: `30` (seconds), `500ms`, `30s`, `5m`,
 * `1h`, `2d`, or combinations such as `1m30s`.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration into milliseconds, or returns `undefined` when `text` is
 * not a duration.
 *
 * @example
 * ```ts
 * parseDuration("10s"); // 10000
 * parseDuration("1m30s"); // 90000
 * parseDuration("2.5"); // 2500
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (const m of t.matchAll(re)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched += m[0].length;
  }
  if (matched === 0 || matched !== t.length) return undefined;
  return total;
}
