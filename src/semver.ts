/**
 * Semantic versions (semver.org 2.0.0): parsing and precedence, for version
 * handshakes and `dora self update`. Written here instead of importing the npm
 * `semver` package, whose hundred CommonJS files cost ~100 ms at every start.
 *
 * @module
 */

/** A parsed version; `pre` holds the pre-release identifiers. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: (string | number)[];
}

const PATTERN =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Parses `text`, or undefined when it is not a semantic version. */
export function parseVersion(text: string): SemVer | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    pre: m[4]
      ? m[4].split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      : [],
  };
}

/** Whether `text` is a semantic version. */
export function isVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

/** -1, 0 or 1 as `a` has lower, equal or higher precedence than `b`. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new TypeError(`not a semantic version: ${!x ? a : b}`);
  for (const k of ["major", "minor", "patch"] as const) {
    if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  }
  // A pre-release is lower than the release itself.
  if (x.pre.length === 0 || y.pre.length === 0) {
    return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    if (typeof p === "number" && typeof q === "number") return p < q ? -1 : 1;
    if (typeof p === "number") return -1; // numeric identifiers sort first
    if (typeof q === "number") return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}
