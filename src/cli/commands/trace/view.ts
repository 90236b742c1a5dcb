/**
 * `dora trace view TRACE_ID`: the spans of one trace as an indented tree
 * with durations and fields; the id may be any unique prefix.
 *
 * @module
 */
import { Command } from "commander";
import {
  formatTraceTree,
  resolveTraceId,
  TracePrefixError,
} from "../../../inspect/mod.ts";
import { writeLines } from "../../_output.ts";
import { CliError } from "../../errors.ts";
import { type TargetFlags, withTargetOptions } from "../../target.ts";
import { formatOption, withFormatOption } from "../_inspect_options.ts";
import { collectSpans } from "./_spans.ts";

/** The `trace view` subcommand. */
export function traceViewCommand() {
  return withFormatOption(withTargetOptions(
    new Command("view")
      .description("show the spans of one trace as an indented tree")
      .argument("<TRACE_ID>", "trace id or a unique prefix of it"),
  )).action(async (prefix: string, opts: TargetFlags & { format?: string }) => {
    const format = formatOption(opts.format);
    const spans = await collectSpans(opts);
    let id: string;
    try {
      id = resolveTraceId(prefix, spans.map((s) => s.trace_id));
    } catch (err) {
      if (err instanceof TracePrefixError) throw new CliError(err.message);
      throw err;
    }
    const trace = spans.filter((s) => s.trace_id === id);
    if (format === "json") {
      writeLines([JSON.stringify(trace, null, 2)]);
      return;
    }
    writeLines(formatTraceTree(trace));
  });
}
