/**
 * `dora node info NODE`: one node of a running dataflow in detail: status,
 * pid, CPU, memory, disk I/O, restarts, each input with its source, queue,
 * rate and drops, and each output with its rate and subscribers.
 *
 * @module
 */
import { Command } from "commander";
import type { NodeInfoResult } from "../../../control/inspect.ts";
import { didYouMean } from "../../../descriptor/suggest.ts";
import { statusLabel } from "../../../inspect/mod.ts";
import { renderTable, writeLines } from "../../_output.ts";
import { CliError } from "../../errors.ts";
import {
  describeDataflow,
  type InspectFlags,
  withDataflow,
} from "../../inspect_target.ts";
import {
  formatOption,
  withDataflowOptions,
  withFormatOption,
} from "../_inspect_options.ts";
import {
  cpuText,
  memoryText,
  netText,
  rateMbText,
  warnUnreachable,
} from "./_format.ts";

interface InfoOptions extends InspectFlags {
  format?: string;
}

/** The `node info` subcommand. */
export function nodeInfoCommand() {
  return withFormatOption(withDataflowOptions(
    new Command("info")
      .description(
        "show one node: status, resources, inputs (source, queue, rate, drops) and outputs (rate, subscribers)",
      )
      .argument("<NODE>", "node id"),
  )).action(async (nodeId: string, opts: InfoOptions) => {
    const format = formatOption(opts.format);
    const { nodes, unreachable, dataflow } = await withDataflow(
      opts,
      async (peer, df) => ({
        ...await peer.call<NodeInfoResult>("node_info", { ref: df.uuid }),
        dataflow: df,
      }),
    );
    const n = nodes.find((x) => x.node_id === nodeId);
    if (!n) {
      warnUnreachable(unreachable);
      const ids = nodes.map((x) => x.node_id);
      throw new CliError(
        `dataflow ${describeDataflow(dataflow)} has no node "${nodeId}"${
          didYouMean(nodeId, ids)
        }; its nodes: ${ids.join(", ") || "none"}`,
      );
    }
    if (format === "json") {
      writeLines([JSON.stringify(n, null, 2)]);
      return;
    }
    const m = n.metrics;
    const lines = [
      `node "${n.node_id}" of dataflow ${
        describeDataflow({ uuid: n.dataflow_id, name: n.dataflow_name })
      }`,
      `  status:    ${statusLabel(m.status)}${
        m.broken_inputs.length
          ? ` (inputs timed out: ${m.broken_inputs.join(", ")})`
          : ""
      }`,
      `  daemon:    ${n.daemon_id}`,
      `  pid:       ${m.pid ?? "-"}`,
      `  cpu:       ${cpuText(m.cpu_usage)}%`,
      `  memory:    ${memoryText(m.memory_mb)} MB`,
      `  disk I/O:  ${rateMbText(m.disk_read_mb_s)} MB/s read, ${
        rateMbText(m.disk_write_mb_s)
      } MB/s write`,
      `  restarts:  ${m.restart_count}`,
      `  queued:    ${m.pending_messages} message(s), ${m.dropped_messages} dropped so far`,
      `  network:   ${netText(n.network.bytes_sent)} sent, ${
        netText(n.network.bytes_received)
      } received (other daemons)`,
      "",
    ];
    if (n.inputs.length) {
      lines.push("inputs:");
      lines.push(indent(renderTable(
        ["INPUT", "SOURCE", "QUEUED", "RATE (/s)", "RECEIVED", "DROPPED"],
        n.inputs.map((i) => [
          i.id,
          i.source,
          String(i.queued),
          i.rate.toFixed(1),
          String(i.received),
          String(i.dropped),
        ]),
      )));
    } else lines.push("inputs: none");
    lines.push("");
    if (n.outputs.length) {
      lines.push("outputs:");
      lines.push(indent(renderTable(
        ["OUTPUT", "RATE (/s)", "SENT", "OPEN", "SUBSCRIBERS"],
        n.outputs.map((o) => [
          o.id,
          o.rate.toFixed(1),
          String(o.sent),
          o.open ? "yes" : "no",
          o.subscribers.join(", ") || "-",
        ]),
      )));
    } else lines.push("outputs: none");
    writeLines(lines);
  });
}

function indent(text: string): string {
  return text.split("\n").map((l) => `  ${l}`).join("\n");
}
