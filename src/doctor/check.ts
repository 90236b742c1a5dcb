/**
 * One doctor check's result: ✔ ok, ! warn (worth knowing, not a failure),
 * ✘ fail (something dora needs is broken; `dora doctor` exits 1).
 *
 * @module
 */

/** How a check came out. */
export type CheckStatus = "ok" | "warn" | "fail";

/** The outcome of one check. */
export interface CheckResult {
  /** Stable id for scripts (`deno`, `python`, `shm`, `coordinator`, …). */
  id: string;
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  summary: string;
  /** More lines (e.g. every descriptor problem, every daemon). */
  details?: string[];
  /** What to do about a warning or failure. */
  fix?: string;
}

/** A result with `status` and optional `fix` and `details`. */
export function result(
  id: string,
  status: CheckStatus,
  summary: string,
  extra: { fix?: string; details?: string[] } = {},
): CheckResult {
  const r: CheckResult = { id, status, summary };
  if (extra.details?.length) r.details = extra.details;
  if (extra.fix && status !== "ok") r.fix = extra.fix;
  return r;
}
