/**
 * `dora trace list`: recent traces of dora's own work (start, spawn, build,
 * stop, restart) kept by the coordinator, its daemons and each `dora run`.
 *
 * @module
 */
import { Command } from "commander";
import { formatDurationUs, summarizeTraces } from "../../../inspect/mod.ts";
import { renderTable, writeLines } from "../../_output.ts";
import { type TargetFlags, withTargetOptions } from "../../target.ts";
import { formatOption, withFormatOption } from "../_inspect_options.ts";
import { collectSpans } from "./_spans.ts";

/** `2026-03-01 10:30:05` in local time. */
export function startedText(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${
    p(d.getHours())
  }:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The `trace list` subcommand. */
export function traceListCommand(): Command {
  return withFormatOption(withTargetOptions(
    new Command("list").description(
      "list recent traces (newest first): TRACE ID, ROOT SPAN, SPANS, STARTED, DURATION",
    ),
  )).action(async (opts: TargetFlags & { format?: string }) => {
    const format = formatOption(opts.format);
    const traces = summarizeTraces(await collectSpans(opts));
    if (format === "json") {
      writeLines([JSON.stringify(traces, null, 2)]);
      return;
    }
    if (traces.length === 0) {
      writeLines(["no traces yet (they appear once a dataflow starts)"]);
      return;
    }
    writeLines([renderTable(
      ["TRACE ID", "ROOT SPAN", "SPANS", "STARTED", "DURATION"],
      traces.map((t) => [
        t.trace_id.slice(0, 12),
        t.root_span_name,
        String(t.span_count),
        startedText(t.start_time),
        formatDurationUs(t.total_duration_us),
      ]),
    )]);
  });
}
