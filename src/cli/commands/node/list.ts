/**
 * `dora node list`: the nodes of a running dataflow with their status, pid,
 * CPU, memory and restarts.
 *
 * @module
 */
import { Command } from "commander";
import type { NodeInfoResult } from "../../../control/inspect.ts";
import { statusLabel } from "../../../inspect/mod.ts";
import { renderTable, writeLines } from "../../_output.ts";
import { type InspectFlags, withDataflow } from "../../inspect_target.ts";
import {
  formatOption,
  withDataflowOptions,
  withFormatOption,
} from "../_inspect_options.ts";
import { cpuText, memoryText, warnUnreachable } from "./_format.ts";

interface ListOptions extends InspectFlags {
  format?: string;
  quiet?: boolean;
}

/** The `node list` subcommand. */
export function nodeListCommand(): Command {
  return withFormatOption(withDataflowOptions(
    new Command("list")
      .description(
        "list the nodes of a running dataflow: status, pid, CPU, memory, restarts",
      )
      .option("-q, --quiet", "print only node ids"),
  )).action(async (opts: ListOptions) => {
    const format = formatOption(opts.format);
    const { nodes, unreachable } = await withDataflow(
      opts,
      (peer, df) => peer.call<NodeInfoResult>("node_info", { ref: df.uuid }),
    );
    warnUnreachable(unreachable);
    if (opts.quiet) {
      writeLines(nodes.map((n) => n.node_id));
      return;
    }
    if (format === "json") {
      writeLines([JSON.stringify(nodes, null, 2)]);
      return;
    }
    writeLines([renderTable(
      ["NODE", "STATUS", "PID", "CPU%", "MEMORY (MB)", "RESTARTS", "DATAFLOW"],
      nodes.map((n) => [
        n.node_id,
        statusLabel(n.metrics.status),
        n.metrics.pid === null ? "-" : String(n.metrics.pid),
        cpuText(n.metrics.cpu_usage),
        memoryText(n.metrics.memory_mb),
        String(n.metrics.restart_count),
        n.dataflow_name ?? n.dataflow_id,
      ]),
    )]);
  });
}
