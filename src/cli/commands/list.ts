/**
 * `dora list` (alias `ps`): dataflows known to the coordinator, with CPU and
 * memory of running ones.
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../coordinator_client.ts";
import { formatBytes, renderTable } from "../_output.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import type { FaultSummary } from "../../fault/counters.ts";

/** One row of `list`. */
export interface ListedDataflow {
  uuid: string;
  name?: string;
  status: string;
  nodes: number;
  daemons: string[];
  cpu?: number;
  memoryBytes?: number;
  error?: string;
  /** Fault-tolerance counters per node and totals (restarts, …). */
  fault?: FaultSummary;
  createdAt: number;
}

interface ListOptions extends TargetFlags {
  format: string;
  status?: string;
  name?: string;
  sortBy?: string;
  quiet?: boolean;
}

/** Registers `dora list`. */
export function registerList(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("list")
        .alias("ps")
        .description("list dataflows with their status, CPU and memory")
        .option(
          "-f, --format <FORMAT>",
          "table | json (one object per line)",
          "table",
        )
        .option("--status <STATUS>", "only running | finished | failed")
        .option(
          "--name <PATTERN>",
          "only names containing PATTERN (case-insensitive)",
        )
        .option("--sort-by <FIELD>", "cpu | memory")
        .option("-q, --quiet", "print only UUIDs"),
    ).action(async (opts: ListOptions) => {
      if (opts.format !== "table" && opts.format !== "json") {
        throw new UsageError(
          `invalid --format "${opts.format}": expected table or json`,
        );
      }
      if (
        opts.status && !["running", "finished", "failed"].includes(opts.status)
      ) {
        throw new UsageError(
          `invalid --status "${opts.status}": expected running, finished or failed`,
        );
      }
      if (opts.sortBy && opts.sortBy !== "cpu" && opts.sortBy !== "memory") {
        throw new UsageError(
          `invalid --sort-by "${opts.sortBy}": expected cpu or memory`,
        );
      }
      const { dataflows } = await withCoordinator(
        resolveTarget(opts),
        (peer) => peer.call<{ dataflows: ListedDataflow[] }>("list"),
      );
      let rows = dataflows.filter((d) => {
        if (
          opts.status === "running" &&
          !["running", "pending", "stopping"].includes(d.status)
        ) {
          return false;
        }
        if (
          opts.status && opts.status !== "running" && d.status !== opts.status
        ) return false;
        if (
          opts.name &&
          !(d.name ?? "").toLowerCase().includes(opts.name.toLowerCase())
        ) {
          return false;
        }
        return true;
      });
      if (opts.sortBy === "cpu") {
        rows = rows.sort((a, b) => (b.cpu ?? -1) - (a.cpu ?? -1));
      }
      if (opts.sortBy === "memory") {
        rows = rows.sort((a, b) =>
          (b.memoryBytes ?? -1) - (a.memoryBytes ?? -1)
        );
      }
      if (opts.quiet) {
        for (const d of rows) console.log(d.uuid);
        return;
      }
      if (opts.format === "json") {
        for (const d of rows) console.log(JSON.stringify(d));
        return;
      }
      if (rows.length === 0) {
        console.log("no dataflows (start one with `dora start <PATH>`)");
        return;
      }
      console.log(renderTable(
        ["UUID", "NAME", "STATUS", "NODES", "CPU", "MEMORY"],
        rows.map((d) => [
          d.uuid,
          d.name ?? "-",
          d.status,
          String(d.nodes),
          d.cpu === undefined ? "-" : `${d.cpu.toFixed(1)}%`,
          formatBytes(d.memoryBytes),
        ]),
      ));
    }),
  );
}
