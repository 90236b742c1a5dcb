/**
 * `dora topic list`: every output of a running dataflow with its publisher,
 * subscribers, and whether it is live.
 *
 * @module
 */
import { Command } from "commander";
import type { TopicListResult } from "../../../control/inspect.ts";
import { renderTable, writeLines } from "../../_output.ts";
import { type InspectFlags, withDataflow } from "../../inspect_target.ts";
import {
  formatOption,
  withDataflowOptions,
  withFormatOption,
} from "../_inspect_options.ts";

/** The `topic list` subcommand. */
export function topicListCommand(): Command {
  return withFormatOption(withDataflowOptions(
    new Command("list").description(
      "list the topics (outputs) of a running dataflow: publisher, subscribers, live",
    ),
  )).action(async (opts: InspectFlags & { format?: string }) => {
    const format = formatOption(opts.format);
    const r = await withDataflow(
      opts,
      (peer, df) => peer.call<TopicListResult>("topic_list", { ref: df.uuid }),
    );
    if (format === "json") {
      writeLines([JSON.stringify(r.topics, null, 2)]);
      return;
    }
    if (r.topics.length === 0) {
      writeLines(["this dataflow has no outputs"]);
      return;
    }
    writeLines([renderTable(
      ["TOPIC", "TYPE", "PUBLISHER", "SUBSCRIBERS", "LIVE", "RATE (Hz)"],
      r.topics.map((t) => [
        t.topic,
        t.type ?? "-",
        t.publisher,
        t.subscribers.join(", ") || "-",
        t.live ? "yes" : "no",
        t.rate.toFixed(1),
      ]),
    )]);
  });
}
