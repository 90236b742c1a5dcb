/**
 * The tools that read what flows on a topic through the message tap: the
 * next messages of an output (decoded), and outputs' publish rates. Both
 * need the dataflow started with debug inspection (`start_dataflow` with
 * `debug: true`, `dora run --debug`, or `publish_all_messages` in the YAML).
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { TopicListResult } from "../../control/inspect.ts";
import type { Peer } from "../../control/peer.ts";
import { describeViewed, type ViewedDataflow } from "../access.ts";
import { addTool, dataflowArg, type ToolContext } from "./_tool.ts";
import { measureRates, readTopic } from "./topics.ts";

const topicArg = z.string().regex(/^[^/\s]+\/\S+$/, {
  error: "a topic is `node/output`",
}).max(400);

/** Registers read_topic and topic_rate. */
export function addTopicTools(server: McpServer, ctx: ToolContext): void {
  addTool(server, ctx, {
    name: "read_topic",
    title: "Read a topic",
    description:
      "Waits for the next messages of one output (`node/output`) and returns them decoded: time, Arrow type, length, size, values (all of them when `complete`, else those the first `max_bytes` hold), metadata parameters. Needs debug inspection on the dataflow.",
    input: z.strictObject({
      dataflow: dataflowArg,
      topic: topicArg.describe("the output, as `node/output`"),
      count: z.number().int().min(1).max(100).optional().describe(
        "how many messages (default 1)",
      ),
      timeout_seconds: z.number().positive().max(60).optional().describe(
        "how long to wait for them (default 5)",
      ),
      max_bytes: z.number().int().min(16).max(1 << 20).optional().describe(
        "payload bytes read per message (default 4096)",
      ),
    }),
    changes: false,
  }, async ({ dataflow, topic, count, timeout_seconds, max_bytes }) => {
    const d = await ctx.targets.running(dataflow);
    const want = count ?? 1;
    const r = await ctx.targets.withPeer(d, async (peer) => {
      await requireDebug(peer, d);
      return await readTopic(peer, d.uuid, topic, {
        count: want,
        timeoutMs: (timeout_seconds ?? 5) * 1000,
        maxBytes: max_bytes ?? 4096,
      });
    });
    return {
      uuid: d.uuid,
      topic,
      ...r,
      ...(r.timedOut
        ? {
          note: `${r.messages.length} of ${want} message(s) came within ${
            timeout_seconds ?? 5
          }s`,
        }
        : {}),
    };
  });

  addTool(server, ctx, {
    name: "topic_rate",
    title: "Measure topic rates",
    description:
      "Measures how often outputs publish over a few seconds: Hz, messages, copies lost to the tap's queue, min/avg/max period, bytes per second. Every output when `topics` is empty. Needs debug inspection on the dataflow.",
    input: z.strictObject({
      dataflow: dataflowArg,
      topics: z.array(topicArg).max(100).optional().describe(
        "outputs as `node/output` (default: every output)",
      ),
      seconds: z.number().min(0.5).max(30).optional().describe(
        "how long to measure (default 2)",
      ),
    }),
    changes: false,
  }, async ({ dataflow, topics, seconds }) => {
    const d = await ctx.targets.running(dataflow);
    const rates = await ctx.targets.withPeer(d, async (peer) => {
      await requireDebug(peer, d);
      return await measureRates(peer, d.uuid, topics ?? [], seconds ?? 2);
    });
    return { uuid: d.uuid, seconds: seconds ?? 2, rates };
  });
}

/** Its messages cannot be tapped: the dataflow runs without debug inspection. */
export class DebugInspectionError extends Error {
  /** A machine-readable kind for callers. */
  readonly code = "debug_disabled";
  constructor(d: ViewedDataflow) {
    super(
      `dataflow ${
        describeViewed(d)
      } runs without debug inspection, so its messages cannot be read: start it with start_dataflow and \`debug: true\` (or \`dora run --debug\`, \`dora start --debug\`)`,
    );
    this.name = "DebugInspectionError";
  }
}

/** Throws {@linkcode DebugInspectionError} unless `d` can be tapped. */
async function requireDebug(peer: Peer, d: ViewedDataflow): Promise<void> {
  const listed = await peer.call<TopicListResult>("topic_list", {
    ref: d.uuid,
  });
  if (!listed.debug) throw new DebugInspectionError(d);
}
