/**
 * `dora mcp`: a Model Context Protocol server over stdio (the official SDK)
 * whose tools list, start, stop and restart dataflows, show their nodes,
 * topics (their messages and rates), logs and parameters, change parameters
 * and validate descriptors.
 * stdout is the MCP channel: nothing else may write to it.
 *
 * @module
 */
import process from "node:process";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { DORA_VERSION } from "../../version.ts";
import type { DoraAccess } from "../access.ts";
import type { ToolContext } from "./_tool.ts";
import { DataflowControl } from "./control.ts";
import { addDataflowTools } from "./dataflow_tools.ts";
import { addLogTools } from "./log_tools.ts";
import { addNodeTools } from "./node_tools.ts";
import { addParamTools } from "./param_tools.ts";
import { addTopicTools } from "./topic_tools.ts";
import { Targets } from "./targets.ts";

/** What the MCP server works with. */
export interface McpOptions {
  access: DoraAccess;
  /** Refuse every tool that changes anything. */
  readOnly?: boolean;
  /** The folder relative descriptor paths are read from (default: cwd). */
  cwd?: string;
}

/** An MCP server with every dora tool registered (not yet connected). */
export function createMcpServer(opts: McpOptions): McpServer {
  return createWithContext(opts).server;
}

function createWithContext(
  opts: McpOptions,
): { server: McpServer; ctx: ToolContext } {
  const cwd = opts.cwd ?? Deno.cwd();
  const ctx: ToolContext = {
    targets: new Targets(opts.access),
    control: new DataflowControl(opts.access, cwd),
    readOnly: Boolean(opts.readOnly),
    cwd,
  };
  const server = new McpServer(
    { name: "dora", title: "dora dataflows", version: DORA_VERSION },
    {
      instructions:
        `Tools for dora dataflows: those of the coordinator at ${opts.access.coordinatorName} and of \`dora run\`s on this machine (without a coordinator, start_dataflow runs one as a child of this server). A \`dataflow\` argument takes a uuid, a name or a unique prefix; without it a tool acts on the only running dataflow. Topics are \`node/output\`. Relative descriptor paths are read from ${cwd}.${
          ctx.readOnly
            ? " This server is read-only: tools that start, stop or change anything are refused."
            : ""
        }`,
    },
  );
  addDataflowTools(server, ctx);
  addNodeTools(server, ctx);
  addTopicTools(server, ctx);
  addLogTools(server, ctx);
  addParamTools(server, ctx);
  return { server, ctx };
}

/**
 * Serves {@link createMcpServer} on this process's stdin/stdout until the
 * client closes stdin (or SIGINT/SIGTERM).
 */
export async function serveMcpStdio(opts: McpOptions): Promise<void> {
  const { server, ctx } = createWithContext(opts);
  const transport = new StdioServerTransport();
  const closed = Promise.withResolvers<void>();
  const end = () => closed.resolve();
  process.stdin.on("end", end);
  process.stdin.on("close", end);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, end);
  server.server.onclose = end;
  await server.connect(transport);
  try {
    await closed.promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, end);
    process.stdin.off("end", end);
    process.stdin.off("close", end);
    await server.close().catch(() => {});
    // The `dora run`s it started end with it.
    await ctx.control.close();
  }
}
