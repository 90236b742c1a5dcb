/** Byte sizes such as `"50MB"` (units are powers of 1024, like dora). @module */

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parses a byte size: a whole number of bytes or a string like `"50MB"`,
 * `"1.5 GB"`, `"512K"`. Returns undefined when it is not one.
 *
 * @example
 * ```ts
 * parseByteSize("50MB"); // 52428800
 * ```
 */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const key = m[2]!.toLowerCase();
  if (!Object.hasOwn(UNITS, key)) return undefined;
  const unit = UNITS[key]!;
  return Math.round(Number(m[1]) * unit);
}
