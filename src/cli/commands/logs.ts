/**
 * `dora logs [UUID_OR_NAME] [NODE]`: show node logs. `--local` reads the
 * `out/` folder of a `dora run` (no coordinator); the remote mode (through the
 * coordinator) plugs in beside {@linkcode showLocalLogs}.
 *
 * @module
 */
import { durationOption, logSettings } from "../_options.ts";
import { useColor, writeLines } from "../_output.ts";
import type { Command } from "commander";
import {
  filterRecords,
  formatRecord,
  listLogNodes,
  listRuns,
  type LogFormat,
  type LogQuery,
  readRunLogs,
} from "../../logs/mod.ts";
import { CliError, UsageError } from "../errors.ts";
import { showCoordinatorLogs } from "./_remote_logs.ts";

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

/** Registers `dora logs`. */
export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("show the logs of a dataflow's nodes")
    .argument(
      "[UUID_OR_NAME]",
      "dataflow UUID or name (default: the latest run)",
    )
    .argument("[NODE]", "node to show (required unless --all-nodes)")
    .option(
      "--local",
      "read the local out/ folder written by `dora run` (no coordinator)",
    )
    .option("--all-nodes", "show every node, merged by time")
    .option("--tail <N>", "show only the last N lines (after filtering)")
    .option("-f, --follow", "keep printing new lines")
    .option(
      "--since <DURATION>",
      "only lines newer than this long ago (30, 30s, 5m, 1h, 2d)",
    )
    .option("--until <DURATION>", "only lines older than this long ago")
    .option(
      "--level <LEVEL>",
      "minimum level: error|warn|info|debug|trace|stdout",
      "stdout",
    )
    .option("--log-format <FORMAT>", "pretty|json|compact", "pretty")
    .option(
      "--log-filter <FILTER>",
      'per-node levels, e.g. "sensor=debug,planner=warn"',
    )
    .option("--grep <PATTERN>", "case-insensitive text search")
    .option("--out-dir <PATH>", "with --local: the out/ folder to read", "out")
    .option(
      "--coordinator-addr <IP>",
      "coordinator address (env DORA_COORDINATOR_ADDR, default 127.0.0.1)",
    )
    .option(
      "--coordinator-port <PORT>",
      "coordinator port (env DORA_COORDINATOR_PORT, default 6013)",
    )
    .action(
      async (
        first: string | undefined,
        second: string | undefined,
        opts: LogsOptions,
      ) => {
        if (opts.local) {
          await showLocalLogs(first, second, opts);
          return;
        }
        await showCoordinatorLogs(first, second, opts);
      },
    );
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

/** `dora logs --local`: read `out/<uuid>/log_*.jsonl`. */
export async function showLocalLogs(
  first: string | undefined,
  second: string | undefined,
  opts: LogsOptions,
): Promise<void> {
  const { query, format } = logsQuery(opts);
  const outDir = opts.outDir ?? "out";
  const runs = await listRuns(outDir);
  if (runs.length === 0) {
    throw new CliError(
      `no dataflow logs in ${outDir}/ (run \`dora run\` in this folder first)`,
    );
  }
  let run = runs[runs.length - 1]!;
  let node = second;
  if (first !== undefined) {
    const match = runs.filter((r) => r.id === first || r.id.startsWith(first));
    if (match.length > 0) run = match[match.length - 1]!;
    else if (second === undefined) node = first;
    else throw new CliError(`no dataflow "${first}" in ${outDir}/`);
  }
  const available = await listLogNodes(run.path);
  let nodes: string[];
  if (opts.allNodes) nodes = available;
  else if (node === undefined) {
    throw new UsageError(
      `name a node or pass --all-nodes (nodes of ${run.id}: ${
        available.join(", ") || "none"
      })`,
    );
  } else if (!available.includes(node)) {
    throw new CliError(
      `node "${node}" has no logs in ${run.path} (nodes: ${
        available.join(", ") || "none"
      })`,
    );
  } else nodes = [node];
  const color = useColor();
  const print = (lines: string[]) => writeLines(lines);
  let records = filterRecords(await readRunLogs(run.path, nodes), query);
  print(
    records.map((r) =>
      formatRecord(r, format, { color, extra: { dataflow_id: run.id } })
    ),
  );
  if (!opts.follow) return;
  // Follow: poll, print records newer than the last one seen.
  let last = records.length > 0 ? records[records.length - 1]!.ts : "";
  let seen = new Set(
    records.filter((r) => r.ts === last).map((r) => JSON.stringify(r)),
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    records = filterRecords(await readRunLogs(run.path, nodes), {
      ...query,
      tail: undefined,
    });
    const fresh = records.filter((r) =>
      r.ts > last || (r.ts === last && !seen.has(JSON.stringify(r)))
    );
    print(
      fresh.map((r) =>
        formatRecord(r, format, { color, extra: { dataflow_id: run.id } })
      ),
    );
    if (fresh.length > 0) {
      last = fresh[fresh.length - 1]!.ts;
      seen = new Set(
        records.filter((r) => r.ts === last).map((r) => JSON.stringify(r)),
      );
    }
  }
}
