/**
 * `dora recording cat FILE [--topics …] [--format json]`: prints the
 * messages of a recording in recorded order, like `topic echo`.
 *
 * @module
 */
import type { Command } from "commander";
import { writeLines } from "../../_output.ts";
import { CliError } from "../../errors.ts";
import { formatOption, readRecordingForCli } from "./mod.ts";
import {
  newScanReport,
  readMessages,
  type RecordedMessage,
} from "../../../record/mod.ts";

/** Values shown per message in text form. */
const SHOWN = 16;

/** Registers `dora recording cat`. */
export function registerRecordingCat(group: Command): void {
  group
    .command("cat")
    .description("print the messages of a recording")
    .argument("<FILE>", "an MCAP recording")
    .option("--topics <LIST>", "only these topics, comma-separated node/output")
    .option(
      "-f, --format <FORMAT>",
      "table or json (one object per line)",
      "table",
    )
    .action(async (file: string, opts: { topics?: string; format: string }) => {
      const format = formatOption(opts.format);
      const info = await readRecordingForCli(file);
      const known = info.topics.map((t) => t.topic);
      const wanted = opts.topics?.split(",").map((t) => t.trim()).filter((t) =>
        t
      );
      const unknown = (wanted ?? []).filter((t) => !known.includes(t));
      if (unknown.length) {
        throw new CliError(
          `${unknown.length === 1 ? "topic" : "topics"} ${
            unknown.map((t) => `"${t}"`).join(", ")
          } not in ${file}; its topics are: ${known.join(", ")}`,
        );
      }
      const topics = wanted ? new Set(wanted) : undefined;
      const report = newScanReport();
      let batch: string[] = [];
      for await (const m of readMessages(file, report, { topics })) {
        batch.push(format === "json" ? jsonLine(m) : textLine(m));
        if (batch.length >= 256) {
          writeLines(batch);
          batch = [];
        }
      }
      writeLines(batch);
      if (!report.complete && report.truncatedAt !== undefined) {
        writeLines([
          `dora: warning: ${file} ends early at byte ${report.truncatedAt} (the recorder did not finish)`,
        ], Deno.stderr);
      }
    });
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (v && typeof v === "object" && "toJSON" in v) {
    return (v as { toJSON(): unknown }).toJSON();
  }
  if (ArrayBuffer.isView(v)) {
    return Array.from(v as unknown as ArrayLike<number>);
  }
  return v;
}

const replacer = (_k: string, v: unknown) =>
  typeof v === "bigint" ? v.toString() : v;

function jsonLine(m: RecordedMessage): string {
  const { value, params } = m.decode();
  return JSON.stringify({
    topic: m.topic,
    index: m.index,
    log_time_ns: m.logTime.toString(),
    publish_time_ns: m.publishTime.toString(),
    type: String(value.type),
    length: value.length,
    value: [...value].map(plain),
    params,
  }, replacer);
}

function textLine(m: RecordedMessage): string {
  const { value, params } = m.decode();
  const values = [...value].slice(0, SHOWN).map(plain);
  const more = value.length > SHOWN ? `, … (${value.length} values)` : "";
  const shown = JSON.stringify(values, replacer).slice(1, -1) + more;
  const time = new Date(Number(m.logTime / 1_000_000n)).toISOString()
    .slice(11, 23);
  const p = Object.keys(params).length
    ? `  ${JSON.stringify(params, replacer)}`
    : "";
  return `${time}  ${m.topic}  ${String(value.type)} [${shown}]${p}`;
}
