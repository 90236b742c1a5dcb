/**
 * Console rendering of log records: `pretty` (time, node, level, message,
 * colours on a TTY), `compact` (`node: message`) and `json` (one object per
 * line, for scripts).
 *
 * @module
 */
import type { LogRecord } from "./record.ts";

/** Console output formats. */
export type LogFormat = "pretty" | "json" | "compact";

/** Parses `--log-format`; `undefined` when unknown. */
export function parseLogFormat(text: string): LogFormat | undefined {
  const t = text.trim().toLowerCase();
  return t === "pretty" || t === "json" || t === "compact" ? t : undefined;
}

const COLORS: Record<string, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  debug: "\x1b[34m",
  trace: "\x1b[35m",
  stdout: "\x1b[2m",
};
const RESET = "\x1b[0m";

/**
 * Formats one record.
 *
 * @example
 * ```ts
 * formatRecord(record, "compact"); // "sender: hello"
 * ```
 */
export function formatRecord(
  record: LogRecord,
  format: LogFormat,
  options: { color?: boolean; extra?: Record<string, unknown> } = {},
): string {
  if (format === "json") return JSON.stringify({ ...options.extra, ...record });
  const fields = record.fields
    ? Object.entries(record.fields).map(([k, v]) => ` ${k}=${v}`).join("")
    : "";
  if (format === "compact") return `${record.node}: ${record.msg}${fields}`;
  const time = record.ts.slice(11, 23);
  // Raw lines show their stream: `STDOUT` or `STDERR`.
  const label = record.level === "stdout" ? record.stream : record.level;
  const level = label.toUpperCase().padEnd(6);
  const c = options.color ? COLORS[record.level] ?? "" : "";
  const r = options.color ? RESET : "";
  // A node's own logger is named after it (the TypeScript API's node.log()):
  // the node is already named once.
  const target = record.target && record.target !== record.node
    ? ` ${record.target}:`
    : "";
  return `${time} ${c}${level}${r} ${record.node}:${target} ${record.msg}${fields}`;
}
