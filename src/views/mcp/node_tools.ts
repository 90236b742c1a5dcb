/**
 * The tools about the nodes of a dataflow: its nodes and topics (from the
 * graph it runs now, changes included), and restarting or stopping one node.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { NodeInfoResult, TopicListResult } from "../../control/inspect.ts";
import type { Dataflow, NodeSpec } from "../../descriptor/mod.ts";
import type { NodeInfo } from "../../inspect/mod.ts";
import type { ViewedDataflow } from "../access.ts";
import { addTool, dataflowArg, nodeArg, type ToolContext } from "./_tool.ts";

/** The answer of `graph_get`. */
interface Graph {
  uuid: string;
  name?: string;
  revision: number;
  descriptor: Dataflow;
}

/** The graph dataflow `d` runs now. */
export async function graphOf(
  ctx: ToolContext,
  d: ViewedDataflow,
): Promise<Graph> {
  return await ctx.targets.withPeer(
    d,
    (peer) => peer.call<Graph>("graph_get", { ref: d.uuid }),
  );
}

/** Every output of `nodes` as `node/output`, with the inputs reading it. */
export function topicsOf(nodes: NodeSpec[]) {
  const readers = new Map<string, string[]>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i.source.kind !== "node") continue;
      const topic = `${i.source.node}/${i.source.output}`;
      readers.set(topic, [...(readers.get(topic) ?? []), `${n.id}/${i.id}`]);
    }
  }
  return nodes.flatMap((n) =>
    n.outputs.map((o) => {
      const topic = `${n.id}/${o}`;
      const type = n.outputTypes?.[o] ?? n.types?.outputs[o]?.urn;
      return {
        topic,
        node: n.id,
        output: o,
        ...(type ? { type } : {}),
        subscribers: readers.get(topic) ?? [],
      };
    })
  );
}

function describeNode(n: NodeSpec) {
  return {
    id: n.id,
    ...(n.name ? { name: n.name } : {}),
    ...(n.description ? { description: n.description } : {}),
    path: n.path,
    ...(n.operators ? { operators: n.operators.map((o) => o.id) } : {}),
    inputs: Object.fromEntries(n.inputs.map((i) => [i.id, i.sourceText])),
    outputs: n.outputs,
    restart_policy: n.restartPolicy,
    ...(n.deploy?.machine ? { machine: n.deploy.machine } : {}),
  };
}

/** The running state of a node, when it has one. */
function liveState(n: NodeInfo | undefined) {
  if (!n) return {};
  const m = n.metrics;
  return {
    status: m.status,
    pid: m.pid,
    cpu_percent: m.cpu_usage,
    memory_mb: m.memory_mb,
    restarts: m.restart_count,
    pending_messages: m.pending_messages,
    dropped_messages: m.dropped_messages,
    ...(m.broken_inputs.length ? { broken_inputs: m.broken_inputs } : {}),
  };
}

/** Registers list_nodes, list_topics, restart_node, stop_node. */
export function addNodeTools(server: McpServer, ctx: ToolContext): void {
  addTool(server, ctx, {
    name: "list_nodes",
    title: "List nodes",
    description:
      "The nodes of a dataflow as it runs now: id, program, inputs (input id → source), outputs, restart policy, and while it runs: status, pid, CPU %, memory, restarts, queued and dropped messages.",
    input: z.strictObject({ dataflow: dataflowArg }),
    changes: false,
  }, async ({ dataflow }) => {
    const d = await ctx.targets.any(dataflow);
    const g = await graphOf(ctx, d);
    // Live state while it runs; an ended dataflow has only its graph.
    const live = await ctx.targets.withPeer(
      d,
      (peer) => peer.call<NodeInfoResult>("node_info", { ref: d.uuid }),
    ).catch(() => undefined);
    const info = new Map(
      (live?.nodes ?? []).filter((n) => n.dataflow_id === g.uuid).map((
        n,
      ) => [n.node_id, n]),
    );
    return {
      uuid: g.uuid,
      name: g.name ?? null,
      revision: g.revision,
      nodes: g.descriptor.nodes.map((n) => ({
        ...describeNode(n),
        ...liveState(info.get(n.id)),
      })),
    };
  });

  addTool(server, ctx, {
    name: "list_topics",
    title: "List topics",
    description:
      "Every output of a dataflow as a topic `node/output`: its type annotation, the inputs that read it, whether it is live, its rate and messages sent; `debug` says whether read_topic and topic_rate work on it.",
    input: z.strictObject({ dataflow: dataflowArg }),
    changes: false,
  }, async ({ dataflow }) => {
    const d = await ctx.targets.any(dataflow);
    const listed = await ctx.targets.withPeer(
      d,
      (peer) => peer.call<TopicListResult>("topic_list", { ref: d.uuid }),
    ).catch(() => undefined);
    if (listed) {
      return {
        uuid: listed.uuid,
        name: listed.name,
        debug: listed.debug,
        topics: listed.topics.map((t) => ({
          topic: t.topic,
          ...(t.type ? { type: t.type } : {}),
          subscribers: t.subscribers,
          live: t.live,
          rate_hz: Math.round(t.rate * 100) / 100,
          sent: t.sent,
        })),
      };
    }
    const g = await graphOf(ctx, d);
    return {
      uuid: g.uuid,
      name: g.name ?? null,
      topics: topicsOf(g.descriptor.nodes),
    };
  });

  const nodeControl = (
    name: string,
    method: "node_restart" | "node_stop",
    description: string,
  ) =>
    addTool(server, ctx, {
      name,
      title: name === "restart_node" ? "Restart a node" : "Stop a node",
      description,
      input: z.strictObject({
        dataflow: dataflowArg,
        node: nodeArg,
        grace_seconds: z.number().positive().max(3600).optional().describe(
          "time the node gets after its stop event before SIGTERM",
        ),
      }),
      changes: true,
      destructive: true,
    }, async ({ dataflow, node, grace_seconds }) => {
      const d = await ctx.targets.running(dataflow);
      const r = await ctx.targets.withPeer(d, (peer) =>
        peer.call<{ uuid: string; name?: string; node: string }>(method, {
          ref: d.uuid,
          node,
          graceMs: grace_seconds === undefined
            ? undefined
            : grace_seconds * 1000,
        }));
      return {
        uuid: r.uuid,
        name: r.name ?? null,
        node: r.node,
        done: method === "node_restart" ? "restarted" : "stopped",
      };
    });
  nodeControl(
    "restart_node",
    "node_restart",
    "Restarts one node of a running dataflow (its stop ladder, then a new process); the rest keeps running.",
  );
  nodeControl(
    "stop_node",
    "node_stop",
    "Stops one node of a running dataflow (its stop ladder); its receivers get INPUT_CLOSED, the rest keeps running.",
  );
}
