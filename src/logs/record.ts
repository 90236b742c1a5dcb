/**
 * One log line of a node as stored in `out/<uuid>/log_<node>.jsonl`, and the
 * parser that turns a captured stdout/stderr line into one.
 *
 * @module
 */
import type { LogLevel } from "./levels.ts";
import { parseLogLevel } from "./levels.ts";

/** A stored log record (one JSON object per line on disk). */
export interface LogRecord {
  /** RFC 3339 UTC timestamp with milliseconds, e.g. `2026-11-21T06:30:00.123Z`. */
  ts: string;
  level: LogLevel;
  node: string;
  stream: "stdout" | "stderr";
  msg: string;
  target: string | null;
  fields: Record<string, string> | null;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Parses one output line of `node`. Structured lines written by the node APIs'
 * `log()` (`{"level","message","target","fields"}`) keep their level; any
 * other line is level `stdout`.
 */
export function parseNodeLine(
  line: string,
  node: string,
  stream: "stdout" | "stderr",
  now: Date = new Date(),
): LogRecord {
  // Colour codes are for terminals, not log files.
  if (line.includes("\x1b[")) line = line.replace(ANSI, "");
  const record: LogRecord = {
    ts: now.toISOString(),
    level: "stdout",
    node,
    stream,
    msg: line,
    target: null,
    fields: null,
  };
  if (line.startsWith("{") && line.endsWith("}")) {
    try {
      const obj = JSON.parse(line);
      const level = typeof obj?.level === "string"
        ? parseLogLevel(obj.level)
        : undefined;
      if (level !== undefined && typeof obj.message === "string") {
        record.level = level;
        record.msg = obj.message;
        record.target = typeof obj.target === "string" ? obj.target : null;
        if (obj.fields && typeof obj.fields === "object") {
          record.fields = Object.fromEntries(
            Object.entries(obj.fields).map((
              [k, v],
            ) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
          );
        }
      }
    } catch {
      // Not JSON after all: a plain stdout line.
    }
  }
  return record;
}

/** Parses a stored line; `undefined` for a line that is not a record. */
export function parseStoredRecord(line: string): LogRecord | undefined {
  try {
    const obj = JSON.parse(line);
    if (
      obj && typeof obj === "object" && typeof obj.ts === "string" &&
      typeof obj.msg === "string"
    ) {
      return obj as LogRecord;
    }
  } catch {
    // A torn last line (writer killed mid-write): skip it.
  }
  return undefined;
}
