/**
 * Parsing of option values every command shares, each rule once: durations,
 * `--env K=V` pairs, `--store`, and the log settings (`--log-level`,
 * `--log-format`, `--log-filter` with their `DORA_LOG_*` fallbacks). A bad
 * value is a {@linkcode UsageError} that names the option.
 *
 * @module
 */
import {
  type LogFilter,
  type LogFormat,
  type LogLevel,
  parseLogFilter,
  parseLogFormat,
  parseLogLevel,
} from "../logs/mod.ts";
import { checkStoreSpec } from "../store/mod.ts";
import { errorMessage } from "../errors.ts";
import { parseDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";

/**
 * A duration option in milliseconds (`30` = seconds, `500ms`, `10s`, `5m`,
 * `1h`, `2d`, `1m30s`), or undefined when the option was not given.
 *
 * @example
 * ```ts
 * durationOption("--grace-duration", "2s"); // 2000
 * ```
 */
export function durationOption(
  name: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(
      `invalid ${name} "${text}": expected e.g. 30, 500ms, 10s, 5m, 1h, 2d`,
    );
  }
  return ms;
}

/** Repeated `--env K=V` values as an object. */
export function envPairs(pairs: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env expects K=V, got "${p}"`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}

/** A `--store` value (`memory`, `sqlite`, `sqlite:PATH`), checked. */
export function storeOption(spec: string): string {
  try {
    checkStoreSpec(spec);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  return spec;
}

/** The flags of the log settings as commander gives them. */
export interface LogFlags {
  logLevel?: string;
  logFormat?: string;
  logFilter?: string;
}

/** Resolved log settings. */
export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
  filter?: LogFilter;
}

/**
 * The log settings of `dora run` and `dora logs`: each flag, else its
 * environment variable (`DORA_LOG_LEVEL`, `DORA_LOG_FORMAT`,
 * `DORA_LOG_FILTER`), else the default (`stdout`, `pretty`, no filter).
 * `names` says how the flags are spelled in the command's help.
 */
export function logSettings(
  flags: LogFlags,
  names = {
    level: "--log-level",
    format: "--log-format",
    filter: "--log-filter",
  },
): LogSettings {
  const levelText = flags.logLevel ?? Deno.env.get("DORA_LOG_LEVEL") ??
    "stdout";
  const level = parseLogLevel(levelText);
  if (!level) {
    throw new UsageError(
      `invalid ${
        flags.logLevel === undefined ? "DORA_LOG_LEVEL" : names.level
      } "${levelText}": expected error, warn, info, debug, trace or stdout`,
    );
  }
  const formatText = flags.logFormat ?? Deno.env.get("DORA_LOG_FORMAT") ??
    "pretty";
  const format = parseLogFormat(formatText);
  if (!format) {
    throw new UsageError(
      `invalid ${
        flags.logFormat === undefined ? "DORA_LOG_FORMAT" : names.format
      } "${formatText}": expected pretty, json or compact`,
    );
  }
  const filterText = flags.logFilter ?? Deno.env.get("DORA_LOG_FILTER");
  if (!filterText) return { level, format };
  try {
    return { level, format, filter: parseLogFilter(filterText) };
  } catch (err) {
    throw new UsageError(
      `invalid ${
        flags.logFilter === undefined ? "DORA_LOG_FILTER" : names.filter
      }: ${errorMessage(err)}`,
    );
  }
}
