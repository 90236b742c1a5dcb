/**
 * `dora topic info TOPIC`: listens to one topic for `--duration` seconds and
 * reports its Arrow type, publisher, subscribers, message count, rate and
 * bandwidth.
 *
 * @module
 */
import { Command } from "commander";
import type { TopicListResult } from "../../../control/inspect.ts";
import { didYouMean } from "../../../descriptor/suggest.ts";
import { type TapBatch, typeName } from "../../../inspect/mod.ts";
import { writeLines } from "../../_output.ts";
import { CliError } from "../../errors.ts";
import {
  describeDataflow,
  type InspectFlags,
  withDataflow,
} from "../../inspect_target.ts";
import {
  formatOption,
  secondsOption,
  withDataflowOptions,
  withFormatOption,
} from "../_inspect_options.ts";
import { netText } from "../node/_format.ts";
import { endedLine, lostError, openTap } from "./_tap.ts";

interface InfoOptions extends InspectFlags {
  duration?: string;
  format?: string;
}

/** What `topic info` reports (JSON shape). */
export interface TopicReport {
  topic: string;
  /** Arrow types seen (one, normally). */
  types: string[];
  /** The output's type annotation, if any. */
  declared_type: string | null;
  publisher: string;
  subscribers: string[];
  live: boolean;
  duration_s: number;
  messages: number;
  /** Copies the tap skipped (counted in `messages`). */
  skipped: number;
  rate_hz: number;
  bytes: number;
  bandwidth_bytes_s: number;
}

/** The `topic info` subcommand. */
export function topicInfoCommand() {
  return withFormatOption(withDataflowOptions(
    new Command("info")
      .description(
        "listen to one topic for a while: Arrow type, publisher, subscribers, count, rate, bandwidth",
      )
      .argument("<TOPIC>", "topic as node/output")
      .option("--duration <SECONDS>", "how long to listen (at least 1)", "5"),
  )).action(async (name: string, opts: InfoOptions) => {
    const duration = secondsOption("--duration", opts.duration, 5, 1)!;
    const format = formatOption(opts.format);
    await withDataflow(opts, async (peer, dataflow) => {
      const list = await peer.call<TopicListResult>("topic_list", {
        ref: dataflow.uuid,
      });
      const topic = list.topics.find((t) => t.topic === name);
      if (!topic) {
        const all = list.topics.map((t) => t.topic);
        throw new CliError(
          `no topic "${name}" in dataflow ${describeDataflow(dataflow)}${
            didYouMean(name, all)
          }; its topics: ${all.join(", ") || "none"}`,
        );
      }
      const types = new Set<string>();
      let messages = 0;
      let skipped = 0;
      let bytes = 0;
      const started = performance.now();
      const stream = await openTap(peer, dataflow, {
        topics: [name],
        mode: "full",
        maxBytes: 0,
        queueSize: 8192,
      }, (batch: TapBatch) => {
        for (const n of Object.values(batch.lost ?? {})) skipped += n;
        for (const m of batch.messages ?? []) {
          messages++;
          bytes += m.size;
          types.add(m.d ? typeName(m.d.dt) : "empty");
        }
      });
      const timer = setTimeout(() => stream.stop(), duration * 1000);
      const end = await stream.ended;
      clearTimeout(timer);
      if (end.kind === "lost") throw lostError(dataflow);
      const seconds = (performance.now() - started) / 1000;
      const total = messages + skipped;
      // Skipped copies were sent too; their sizes are estimated from the rest.
      const allBytes = messages ? bytes + skipped * (bytes / messages) : 0;
      const report: TopicReport = {
        topic: name,
        types: [...types],
        declared_type: topic.type,
        publisher: topic.publisher,
        subscribers: topic.subscribers,
        live: topic.live,
        duration_s: Math.round(seconds * 100) / 100,
        messages: total,
        skipped,
        rate_hz: Math.round((total / seconds) * 100) / 100,
        bytes: Math.round(allBytes),
        bandwidth_bytes_s: Math.round(allBytes / seconds),
      };
      if (end.kind === "ended") {
        writeLines([endedLine(dataflow, end)], Deno.stderr);
      }
      if (format === "json") {
        writeLines([JSON.stringify(report, null, 2)]);
        return;
      }
      writeLines([
        `topic:        ${report.topic}`,
        `type:         ${report.types.join(", ") || "(no message seen)"}${
          report.declared_type ? ` (declared: ${report.declared_type})` : ""
        }`,
        `publisher:    ${report.publisher}`,
        `subscribers:  ${report.subscribers.join(", ") || "none"}`,
        `messages:     ${report.messages} in ${report.duration_s.toFixed(1)}s${
          skipped ? ` (${skipped} not copied: the tap fell behind)` : ""
        }`,
        `rate:         ${report.rate_hz.toFixed(2)} Hz`,
        `bandwidth:    ${netText(report.bandwidth_bytes_s)}/s (${
          total ? netText(Math.round(allBytes / total)) : "0 B"
        } per message)`,
      ]);
    });
  });
}
