/**
 * `dora recording info FILE`: topics, types, counts, rates, duration, drops
 * and the recorded dataflow of a recording (`--format json` for scripts).
 *
 * @module
 */
import type { Command } from "commander";
import { parse } from "yaml";
import {
  formatBytes,
  renderTable,
  writeLines,
  writeText,
} from "../../_output.ts";
import { formatOption, readRecordingForCli } from "./mod.ts";
import type { RecordingInfo, TopicInfo } from "../../../record/mod.ts";

/** Registers `dora recording info`. */
export function registerRecordingInfo(group: Command): void {
  group
    .command("info")
    .description("show the topics, counts, rates and dataflow of a recording")
    .argument("<FILE>", "an MCAP recording")
    .option("-f, --format <FORMAT>", "table or json", "table")
    .action(async (file: string, opts: { format: string }) => {
      const format = formatOption(opts.format);
      const info = await readRecordingForCli(file);
      if (format === "json") {
        writeText(JSON.stringify(infoJson(info), null, 2) + "\n");
      } else writeLines(infoText(info));
    });
}

function seconds(a?: bigint, b?: bigint): number {
  return a === undefined || b === undefined ? 0 : Number(b - a) / 1e9;
}

function rate(t: TopicInfo): number | undefined {
  const d = seconds(t.firstTime, t.lastTime);
  return t.messages > 1 && d > 0 ? (t.messages - 1) / d : undefined;
}

interface NodeSummary {
  id: string;
  path?: string;
  inputs: string[];
  outputs: string[];
}

/** The recorded dataflow's nodes, for people. */
function nodesOf(info: RecordingInfo): NodeSummary[] {
  const yaml = info.dataflow?.descriptor;
  if (!yaml) return [];
  try {
    const data = parse(yaml) as { nodes?: Record<string, unknown>[] };
    return (data.nodes ?? []).map((n) => ({
      id: String(n.id),
      path: typeof n.path === "string" ? n.path : undefined,
      inputs: Object.entries((n.inputs ?? {}) as Record<string, unknown>).map(
        ([k, v]) =>
          `${k}: ${
            typeof v === "string" ? v : (v as { source?: string }).source
          }`,
      ),
      outputs: ((n.outputs ?? []) as unknown[]).map(String),
    }));
  } catch {
    return [];
  }
}

/** What `--format json` prints. */
export function infoJson(info: RecordingInfo): Record<string, unknown> {
  return {
    path: info.path,
    size: info.report.size,
    messages: info.messages,
    bytes: info.bytes,
    start_time_ns: info.firstTime?.toString() ?? null,
    end_time_ns: info.lastTime?.toString() ?? null,
    duration_s: seconds(info.firstTime, info.lastTime),
    finished: info.finished,
    truncated_at: info.report.complete ? null : info.report.truncatedAt ?? null,
    damaged_chunks: info.report.corruptChunks,
    damaged_records: info.report.corruptRecords,
    dataflow: info.dataflow
      ? {
        source: info.dataflow.source ?? null,
        dataflow_id: info.dataflow.dataflow_id ?? null,
        dora_version: info.dataflow.dora_version ?? null,
        started_at: info.dataflow.started_at ?? null,
        compression: info.dataflow.compression ?? null,
        nodes: nodesOf(info),
      }
      : null,
    topics: info.topics.map((t) => ({
      topic: t.topic,
      types: t.types,
      type_urn: t.urn ?? null,
      encoding: t.messageEncoding,
      messages: t.messages,
      bytes: t.bytes,
      rate_hz: rate(t) ?? null,
      dropped: t.dropped,
    })),
  };
}

/** What a person sees. */
export function infoText(info: RecordingInfo): string[] {
  const d = seconds(info.firstTime, info.lastTime);
  const lines = [
    `file:      ${info.path} (${formatBytes(info.report.size)})`,
    `messages:  ${info.messages} (${formatBytes(info.bytes)}) over ${
      d.toFixed(3)
    } s`,
  ];
  if (info.firstTime !== undefined) {
    lines.push(
      `start:     ${
        new Date(Number(info.firstTime / 1_000_000n)).toISOString()
      }`,
    );
  }
  if (!info.report.complete) {
    lines.push(
      `status:    incomplete: the file ends at byte ${info.report.truncatedAt} (the recorder did not finish); readable up to its last complete chunk`,
    );
  } else if (!info.finished) {
    lines.push("status:    complete, without the recorder's final counts");
  } else lines.push("status:    complete");
  if (info.report.corruptChunks + info.report.corruptRecords > 0) {
    lines.push(
      `damaged:   ${info.report.corruptChunks} chunks and ${info.report.corruptRecords} records skipped (${info.report.firstProblem})`,
    );
  }
  const df = info.dataflow;
  if (df) {
    lines.push(
      `dataflow:  ${df.source ?? "?"} (id ${df.dataflow_id ?? "?"}, dora ${
        df.dora_version ?? "?"
      }, recorded ${df.started_at ?? "?"}, compression ${
        df.compression ?? "?"
      })`,
    );
  } else lines.push("dataflow:  none (not written by dora record)");
  lines.push("");
  lines.push(renderTable(
    ["TOPIC", "TYPE", "MESSAGES", "RATE", "SIZE", "DROPPED"],
    info.topics.map((t) => {
      const r = rate(t);
      return [
        t.topic,
        t.urn ?? (t.types.join(", ") || "-"),
        String(t.messages),
        r === undefined ? "-" : `${r.toFixed(1)} Hz`,
        formatBytes(t.bytes),
        String(t.dropped),
      ];
    }),
  ));
  const nodes = nodesOf(info);
  if (nodes.length) {
    lines.push("", "nodes:");
    for (const n of nodes) {
      const parts = [n.path ? `path ${n.path}` : ""];
      if (n.inputs.length) parts.push(`inputs ${n.inputs.join(", ")}`);
      if (n.outputs.length) parts.push(`outputs ${n.outputs.join(", ")}`);
      lines.push(`  ${n.id}: ${parts.filter((p) => p).join("; ")}`);
    }
  }
  return lines;
}
