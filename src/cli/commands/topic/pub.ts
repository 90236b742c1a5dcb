/**
 * `dora topic pub TOPIC DATA | --file F`: converts JSON to Arrow (numbers,
 * strings, booleans, lists, objects as structs) and delivers it to the
 * topic's subscribers as if its node had sent it, `--count` times, at
 * `--rate` Hz. A value that cannot be converted is an error and nothing is
 * sent.
 *
 * @module
 */
import { Command } from "commander";
import type { TopicListResult } from "../../../control/inspect.ts";
import { didYouMean } from "../../../descriptor/suggest.ts";
import { encodeJsonValue, JsonToArrowError } from "../../../inspect/mod.ts";
import { errorMessage } from "../../../errors.ts";
import { writeLines } from "../../_output.ts";
import { CliError, UsageError } from "../../errors.ts";
import {
  describeDataflow,
  type InspectFlags,
  withDataflow,
} from "../../inspect_target.ts";
import { countOption, withDataflowOptions } from "../_inspect_options.ts";

interface PubOptions extends InspectFlags {
  file?: string;
  count?: string;
  rate?: string;
}

/** The `topic pub` subcommand. */
export function topicPubCommand() {
  return withDataflowOptions(
    new Command("pub")
      .description(
        "publish JSON (converted to Arrow) on a topic, as if its node had sent it",
      )
      .argument("<TOPIC>", "topic as node/output")
      .argument("[DATA]", "JSON value, e.g. '[1, 2, 3]' or '{\"x\": 1.5}'")
      .option("--file <PATH>", "read the JSON from a file instead")
      .option("--count <N>", "how many times to publish it", "1")
      .option(
        "--rate <HZ>",
        "messages per second when --count > 1 (default: as fast as possible)",
      ),
  ).action(
    async (topic: string, data: string | undefined, opts: PubOptions) => {
      if ((data === undefined) === (opts.file === undefined)) {
        throw new UsageError(
          "give the JSON either as DATA or with --file, not both",
        );
      }
      const count = countOption("--count", opts.count) ?? 1;
      let rate: number | undefined;
      if (opts.rate !== undefined) {
        rate = Number(opts.rate);
        if (!Number.isFinite(rate) || rate <= 0) {
          throw new UsageError(
            `invalid --rate "${opts.rate}": expected a number of Hz above 0`,
          );
        }
      }
      let text = data;
      if (opts.file !== undefined) {
        try {
          text = await Deno.readTextFile(opts.file);
        } catch (err) {
          throw new CliError(
            `cannot read --file ${opts.file}: ${errorMessage(err)}`,
          );
        }
      }
      // Converted before anything is contacted: a bad value sends nothing.
      let encoded: ReturnType<typeof encodeJsonValue>;
      try {
        encoded = encodeJsonValue(text!);
      } catch (err) {
        if (err instanceof JsonToArrowError) {
          throw new CliError(
            `${
              opts.file !== undefined ? `--file ${opts.file}` : "DATA"
            }: ${err.message}`,
          );
        }
        throw err;
      }
      await withDataflow(opts, async (peer, dataflow) => {
        const list = await peer.call<TopicListResult>("topic_list", {
          ref: dataflow.uuid,
        });
        if (!list.topics.some((t) => t.topic === topic)) {
          const all = list.topics.map((t) => t.topic);
          throw new CliError(
            `no topic "${topic}" in dataflow ${describeDataflow(dataflow)}${
              didYouMean(topic, all)
            }; its topics: ${all.join(", ") || "none"}`,
          );
        }
        const params = {
          ref: dataflow.uuid,
          topic,
          d: encoded.layout,
          b: encoded.payload.length ? encoded.payload.toBase64() : undefined,
        };
        const started = performance.now();
        for (let i = 0; i < count; i++) {
          if (rate !== undefined && i > 0) {
            const due = started + (i * 1000) / rate;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          await peer.call("topic_publish", params);
        }
        writeLines([
          `published ${count} message(s) on ${topic} of dataflow ${
            describeDataflow(dataflow)
          }`,
        ]);
      });
    },
  );
}
