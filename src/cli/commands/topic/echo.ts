/**
 * `dora topic echo [TOPIC…]`: print the messages of topics as they are
 * sent: values readably (long arrays summarised), metadata parameters and
 * timestamps, or one JSON object per message. Never slows the dataflow: when
 * the terminal cannot keep up, copies are skipped and the count is printed.
 *
 * @module
 */
import { Command } from "commander";
import { DEFAULT_MAX_BYTES } from "../../../control/inspect.ts";
import { formatValue, type TapBatch } from "../../../inspect/mod.ts";
import { useColor, writeLines } from "../../_output.ts";
import { UsageError } from "../../errors.ts";
import { type InspectFlags, withDataflow } from "../../inspect_target.ts";
import { style } from "../../tui/terminal.ts";
import {
  countOption,
  secondsOption,
  withDataflowOptions,
} from "../_inspect_options.ts";
import {
  clockText,
  decodeParams,
  endedLine,
  lostError,
  openTap,
  type TapStream,
} from "./_tap.ts";

interface EchoOptions extends InspectFlags {
  format?: string;
  count?: string;
  duration?: string;
  maxBytes?: string;
}

/** Copies a terminal may fall behind by before the oldest are skipped. */
const ECHO_QUEUE = 256;

/** The `topic echo` subcommand. */
export function topicEchoCommand() {
  return withDataflowOptions(
    new Command("echo")
      .description(
        "print the messages of topics as they are sent (values, parameters, timestamps)",
      )
      .argument("[TOPIC...]", "topics as node/output (default: every output)")
      .option(
        "-f, --format <FORMAT>",
        "table | json (one object per message)",
        "table",
      )
      .option("--count <N>", "stop after N messages")
      .option("--duration <SECONDS>", "stop after this many seconds")
      .option(
        "--max-bytes <N>",
        `payload bytes copied per message (default ${DEFAULT_MAX_BYTES}); bigger payloads show their first values`,
      ),
  ).action(async (names: string[], opts: EchoOptions) => {
    const format = opts.format ?? "table";
    if (format !== "table" && format !== "json") {
      throw new UsageError(
        `invalid --format "${format}": expected table or json`,
      );
    }
    const count = countOption("--count", opts.count);
    const duration = secondsOption("--duration", opts.duration, undefined, 0.1);
    let maxBytes = DEFAULT_MAX_BYTES;
    if (opts.maxBytes !== undefined) {
      maxBytes = Number(opts.maxBytes);
      if (!/^\d+$/.test(opts.maxBytes.trim())) {
        throw new UsageError(
          `invalid --max-bytes "${opts.maxBytes}": expected a whole number of bytes`,
        );
      }
    }
    const color = format === "table" && useColor();
    await withDataflow(opts, async (peer, dataflow) => {
      let shown = 0;
      let skipped = 0;
      const out: string[] = [];
      // Set once subscribed; `--count` stops it from a batch.
      const opened: { stream?: TapStream } = {};
      const onBatch = (batch: TapBatch) => {
        if (count !== undefined && shown >= count) return;
        for (const [topic, n] of Object.entries(batch.lost ?? {})) {
          skipped += n;
          out.push(
            format === "json"
              ? JSON.stringify({ topic, skipped: n })
              : style.dim(
                `(skipped ${n} message(s) of ${topic}: it publishes faster than this terminal reads)`,
                color,
              ),
          );
        }
        for (const m of batch.messages ?? []) {
          if (count !== undefined && shown >= count) break;
          shown++;
          const bytes = m.b ? Uint8Array.fromBase64(m.b) : null;
          const v = formatValue(m.d, bytes, m.size);
          const params = decodeParams(m.p);
          if (format === "json") {
            out.push(JSON.stringify({
              topic: m.topic,
              timestamp: m.ts,
              time: new Date(Number(BigInt(m.ts) / 1_000_000n)).toISOString(),
              type: v.type,
              len: v.len,
              size: m.size,
              values: v.values,
              complete: v.complete,
              params,
            }));
          } else {
            const p = Object.entries(params);
            out.push(
              `${style.dim(clockText(m.ts), color)}  ${
                style.bold(m.topic, color)
              }  ${v.type}[${v.len}]  ${v.text}${
                p.length
                  ? `  {${
                    p.map(([k, x]) => `${k}: ${JSON.stringify(x)}`).join(", ")
                  }}`
                  : ""
              }`,
            );
          }
        }
        writeLines(out.splice(0));
        if (count !== undefined && shown >= count) opened.stream?.stop();
      };
      const stream = opened.stream = await openTap(peer, dataflow, {
        topics: names,
        mode: "full",
        maxBytes,
        queueSize: ECHO_QUEUE,
      }, onBatch);
      if (format === "table") {
        writeLines(
          [`echoing ${stream.result.topics.join(", ")} (Ctrl-C to stop)`],
          Deno.stderr,
        );
      }
      const timer = duration !== undefined
        ? setTimeout(() => stream.stop(), duration * 1000)
        : undefined;
      const end = await stream.ended;
      clearTimeout(timer);
      if (end.kind === "lost") throw lostError(dataflow);
      const tail = [
        `${shown} message(s) shown${skipped ? `, ${skipped} skipped` : ""}`,
      ];
      if (end.kind === "ended") tail.unshift(endedLine(dataflow, end));
      writeLines(tail, Deno.stderr);
    });
  });
}
