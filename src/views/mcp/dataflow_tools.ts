/**
 * The tools about whole dataflows: list, start, stop, restart, validate.
 *
 * @module
 */
import { resolve } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { analyze, formatDiagnostic, hasErrors } from "../../descriptor/mod.ts";
import { addTool, dataflowArg, type ToolContext } from "./_tool.ts";

/** A dataflow as the coordinator lists it. */
interface ListedDataflow {
  uuid: string;
  name?: string;
  status: string;
  nodes: number;
  daemons: string[];
  cpu?: number;
  memoryBytes?: number;
  error?: string;
  createdAt: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Registers list_dataflows, start/stop/restart_dataflow, validate_dataflow. */
export function addDataflowTools(server: McpServer, ctx: ToolContext): void {
  addTool(server, ctx, {
    name: "list_dataflows",
    title: "List dataflows",
    description:
      "The dataflows dora runs now (uuid, name, status, node count, CPU, memory); `all` adds those that ended.",
    input: z.strictObject({
      all: z.boolean().optional().describe(
        "include finished and failed dataflows the coordinator remembers",
      ),
    }),
    changes: false,
  }, async ({ all }) => {
    const running = await ctx.targets.access.list();
    const peer = await ctx.targets.access.coordinator();
    let listed: ListedDataflow[] = [];
    if (peer) {
      try {
        listed = (await peer.call<{ dataflows: ListedDataflow[] }>("list", {}))
          .dataflows;
      } finally {
        peer.close(1000, "done");
      }
    }
    const byUuid = new Map(listed.map((d) => [d.uuid, d]));
    const dataflows = running.map((d) => {
      const l = byUuid.get(d.uuid);
      return {
        uuid: d.uuid,
        name: d.name,
        where: d.where,
        status: l?.status ?? "running",
        ...(l ? summary(l) : {}),
      };
    });
    if (all) {
      const seen = new Set(running.map((d) => d.uuid));
      for (const l of listed) {
        if (seen.has(l.uuid)) continue;
        dataflows.push({
          uuid: l.uuid,
          name: l.name ?? null,
          where: "coordinator",
          status: l.status,
          ...summary(l),
        });
      }
    }
    return {
      coordinator: peer
        ? ctx.targets.access.coordinatorName
        : `none answers at ${ctx.targets.access.coordinatorName}`,
      dataflows,
    };
  });

  addTool(server, ctx, {
    name: "start_dataflow",
    title: "Start a dataflow",
    description:
      `Starts the dataflow described by a YAML file on the coordinator's daemons (like \`dora start --detach\`) and returns its uuid and where each node runs; without a coordinator, as a \`dora run\` child of this server (stopped when it ends). A relative path is read from ${ctx.cwd}. An invalid descriptor is refused with every problem as file:line:column.`,
    input: z.strictObject({
      path: z.string().min(1).max(4096).describe(
        "the dataflow's YAML file (absolute, or relative to the folder dora mcp runs in)",
      ),
      name: z.string().regex(/^[A-Za-z0-9_.-]+$/, {
        error: "use letters, digits, '_', '.', '-'",
      }).max(100).optional().describe("a name for the dataflow"),
      env: z.record(
        z.string().regex(ENV_NAME, { error: "not an environment name" }),
        z.string().max(65536),
      ).optional().describe("extra environment for every node"),
      debug: z.boolean().optional().describe(
        "debug inspection (publish_all_messages): read_topic and topic_rate can read its messages",
      ),
    }),
    changes: true,
  }, async ({ path, name, env, debug }) => ({
    ...await ctx.control.start(path, { name, env, debug }),
  }));

  addTool(server, ctx, {
    name: "stop_dataflow",
    title: "Stop a dataflow",
    description:
      "Stops a running dataflow (stop event, grace period, SIGTERM, SIGKILL) and waits until it ended; returns its final status.",
    input: z.strictObject({
      dataflow: dataflowArg,
      force: z.boolean().optional().describe("kill the nodes at once"),
      grace_seconds: z.number().positive().max(3600).optional().describe(
        "time nodes get after the stop event before SIGTERM (default 10)",
      ),
    }),
    changes: true,
    destructive: true,
  }, async ({ dataflow, force, grace_seconds }) => {
    const d = await ctx.targets.running(dataflow);
    return {
      ...await ctx.control.stop(d, {
        force,
        graceMs: grace_seconds === undefined ? undefined : grace_seconds * 1000,
      }),
    };
  });

  addTool(server, ctx, {
    name: "restart_dataflow",
    title: "Restart a dataflow",
    description:
      "Stops a dataflow and starts it again with its current graph and parameters; returns the new uuid and the one it replaced. A `dora run` this server started is started again with the same command (its descriptor file as it is now) and its runtime parameters; a `dora run` started elsewhere is refused (use restart_node, or stop_dataflow then start_dataflow).",
    input: z.strictObject({ dataflow: dataflowArg }),
    changes: true,
    destructive: true,
  }, async ({ dataflow }) => ({
    ...await ctx.control.restart(await ctx.targets.any(dataflow)),
  }));

  addTool(server, ctx, {
    name: "validate_dataflow",
    title: "Validate a descriptor",
    description:
      `Checks a dataflow YAML file like \`dora validate\`: schema, node ids, inputs, modules, paths, types. Returns valid, the node ids, and every problem as file:line:column. A relative path is read from ${ctx.cwd}.`,
    input: z.strictObject({
      path: z.string().min(1).max(4096).describe("the dataflow's YAML file"),
      strict_types: z.boolean().optional().describe(
        "type problems are errors and any warning fails",
      ),
    }),
    changes: false,
  }, async ({ path, strict_types }) => {
    const abs = resolve(ctx.cwd, path);
    const analysis = await analyze(abs, { strictTypes: strict_types === true });
    const list = analysis.diagnostics;
    const valid = !hasErrors(list) &&
      !(strict_types === true && list.some((d) => d.severity === "warning"));
    return {
      path: analysis.src.file,
      valid,
      nodes: analysis.dataflow?.nodes.map((n) => n.id) ?? [],
      errors: list.filter((d) => d.severity === "error").map(formatDiagnostic),
      warnings: list.filter((d) => d.severity === "warning").map(
        formatDiagnostic,
      ),
    };
  });
}

function summary(l: ListedDataflow) {
  return {
    nodes: l.nodes,
    daemons: l.daemons,
    ...(l.cpu !== undefined ? { cpu_percent: round(l.cpu) } : {}),
    ...(l.memoryBytes !== undefined ? { memory_bytes: l.memoryBytes } : {}),
    ...(l.error ? { error: l.error } : {}),
    created: new Date(l.createdAt).toISOString(),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
