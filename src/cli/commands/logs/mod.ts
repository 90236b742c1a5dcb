/**
 * `dora logs [UUID_OR_NAME] [NODE]`: show node logs. `--local` reads the
 * `out/` folder of a `dora run` (no coordinator, `local.ts`); otherwise the
 * logs come through the coordinator (`remote.ts`).
 *
 * @module
 */
import type { Command } from "commander";
import { showLocalLogs } from "./local.ts";
import type { LogsOptions } from "./query.ts";
import { showCoordinatorLogs } from "./remote.ts";

export { type LogsOptions, logsQuery } from "./query.ts";
export { showLocalLogs } from "./local.ts";

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
    // No commander defaults: an unset flag falls back to DORA_LOG_LEVEL /
    // DORA_LOG_FORMAT / DORA_LOG_FILTER, then to stdout / pretty.
    .option(
      "--level <LEVEL>",
      "minimum level: error|warn|info|debug|trace|stdout (env: DORA_LOG_LEVEL, default stdout)",
    )
    .option(
      "--log-format <FORMAT>",
      "pretty|json|compact (env: DORA_LOG_FORMAT, default pretty)",
    )
    .option(
      "--log-filter <FILTER>",
      'per-node levels, e.g. "sensor=debug,planner=warn" (env: DORA_LOG_FILTER)',
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
