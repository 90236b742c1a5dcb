/**
 * The read_logs tool: the log records of a dataflow's nodes (running or
 * ended), filtered by node, level, text and time, newest last.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { toWireQuery } from "../../control/log_query.ts";
import {
  filterRecords,
  LOG_LEVELS,
  type LogLevel,
  type LogQuery,
  type LogRecord,
} from "../../logs/mod.ts";
import { addTool, dataflowArg, type ToolContext } from "./_tool.ts";

/** The longest message text returned per record (the rest is cut). */
const MAX_MSG_CHARS = 2000;

/** Registers read_logs. */
export function addLogTools(server: McpServer, ctx: ToolContext): void {
  addTool(server, ctx, {
    name: "read_logs",
    title: "Read logs",
    description:
      "The last log records of a dataflow's nodes (running or ended): time, node, level, message. Filter by nodes, minimum level, a case-insensitive text, and age.",
    input: z.strictObject({
      dataflow: dataflowArg,
      nodes: z.array(z.string().min(1).max(200)).max(100).optional().describe(
        "only these nodes (default: every node)",
      ),
      level: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]).optional()
        .describe(
          "minimum level: error, warn, info, debug, trace, stdout (= everything, the default)",
        ),
      grep: z.string().min(1).max(200).optional().describe(
        "only records whose message, target or fields contain this text",
      ),
      since_seconds: z.number().positive().max(30 * 86400).optional()
        .describe("only records of the last N seconds"),
      tail: z.number().int().min(1).max(1000).optional().describe(
        "at most this many records, the newest (default 100)",
      ),
    }),
    changes: false,
  }, async ({ dataflow, nodes, level, grep, since_seconds, tail }) => {
    const d = await ctx.targets.any(dataflow);
    const query: LogQuery = {
      level,
      grep,
      since: since_seconds === undefined
        ? undefined
        : Date.now() - since_seconds * 1000,
      tail: tail ?? 100,
    };
    const { lines } = await ctx.targets.withPeer(
      d,
      (peer) =>
        peer.call<{ lines: LogRecord[] }>("logs", {
          ref: d.uuid,
          nodes,
          query: toWireQuery(query),
        }),
    );
    // Each daemon filtered and cut its own part: merge, then cut again.
    lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const records = filterRecords(lines, query);
    return {
      uuid: d.uuid,
      name: d.name,
      count: records.length,
      records: records.map((r) => ({
        ts: r.ts,
        node: r.node,
        level: r.level,
        msg: r.msg.length > MAX_MSG_CHARS
          ? `${r.msg.slice(0, MAX_MSG_CHARS)}… (${r.msg.length} characters)`
          : r.msg,
        ...(r.fields ? { fields: r.fields } : {}),
      })),
    };
  });
}
