/**
 * Log levels and the filter rules shared by the runtime, `dora run`'s console
 * output and `dora logs`.
 *
 * @module
 */
/** A log level; `stdout` is a raw line a node printed. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace" | "stdout";

/** Real levels from most to least severe; `stdout` is raw node output. */
export const LOG_LEVELS: readonly LogLevel[] = [
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "stdout",
];
const SEVERITY: Record<LogLevel, number> = {
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
  trace: 5,
  stdout: 6,
};

/** Whether `text` names a level (case-insensitive; `warning` = `warn`). */
export function parseLogLevel(text: string): LogLevel | undefined {
  const t = text.trim().toLowerCase();
  if (t === "warning") return "warn";
  return (LOG_LEVELS as readonly string[]).includes(t)
    ? t as LogLevel
    : undefined;
}

/**
 * Whether a message of `level` passes a minimum level of `min`: `stdout` as
 * the minimum shows everything; otherwise only real levels at least as severe
 * as `min` pass (raw stdout lines are hidden).
 */
export function passesLevel(level: LogLevel, min: LogLevel): boolean {
  if (min === "stdout") return true;
  if (level === "stdout") return false;
  return SEVERITY[level] <= SEVERITY[min];
}

/** Per-node minimum levels from `"node1=debug,node2=warn"`. */
export type LogFilter = Map<string, LogLevel>;

/**
 * Parses a `--log-filter` string.
 *
 * @example
 * ```ts
 * parseLogFilter("sensor=debug,planner=warn").get("sensor"); // "debug"
 * ```
 * @throws {Error} naming the bad entry.
 */
export function parseLogFilter(text: string): LogFilter {
  const filter: LogFilter = new Map();
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const level = eq > 0 ? parseLogLevel(part.slice(eq + 1)) : undefined;
    if (eq <= 0 || level === undefined) {
      throw new Error(
        `invalid log filter entry "${part.trim()}": expected node=level with level one of ${
          LOG_LEVELS.join("|")
        }`,
      );
    }
    filter.set(part.slice(0, eq).trim(), level);
  }
  return filter;
}

/** The minimum level for `node`: its filter entry, else `fallback`. */
export function levelFor(
  node: string,
  fallback: LogLevel,
  filter?: LogFilter,
): LogLevel {
  return filter?.get(node) ?? fallback;
}
