/**
 * The options of `dora logs` and the log query they make, shared by the local
 * (`--local`) and the coordinator mode.
 *
 * @module
 */
import { durationOption, logSettings } from "../../_options.ts";
import { UsageError } from "../../errors.ts";
import type { LogFormat, LogQuery } from "../../../logs/mod.ts";

/** Options of `dora logs` (local and remote). */
export interface LogsOptions {
  local?: boolean;
  allNodes?: boolean;
  tail?: string;
  follow?: boolean;
  since?: string;
  until?: string;
  level?: string;
  logFormat?: string;
  logFilter?: string;
  grep?: string;
  outDir?: string;
  coordinatorAddr?: string;
  coordinatorPort?: string;
}

/** The query and console settings shared by local and remote modes. */
export function logsQuery(opts: LogsOptions): {
  query: LogQuery;
  format: LogFormat;
} {
  const { level, format, filter } = logSettings(
    {
      logLevel: opts.level,
      logFormat: opts.logFormat,
      logFilter: opts.logFilter,
    },
    { level: "--level", format: "--log-format", filter: "--log-filter" },
  );
  const ago = (name: string, text?: string) => {
    const ms = durationOption(name, text);
    return ms === undefined ? undefined : Date.now() - ms;
  };
  let tail: number | undefined;
  if (opts.tail !== undefined) {
    tail = Number(opts.tail);
    if (!Number.isInteger(tail) || tail < 0) {
      throw new UsageError(`invalid --tail "${opts.tail}"`);
    }
  }
  return {
    query: {
      level,
      filter,
      since: ago("--since", opts.since),
      until: ago("--until", opts.until),
      grep: opts.grep,
      tail,
    },
    format,
  };
}
