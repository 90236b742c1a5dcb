/**
 * The coordinator's requests to a daemon: spawn, stop, logs, metrics,
 * build, destroy.
 *
 * @module
 */
import type { SpawnParams, StopParams } from "../control/coordinator_daemon.ts";
import { fromWireQuery } from "../control/log_query.ts";
import {
  ChangeError,
  type DaemonGraphChange,
  type DaemonNodeControl,
  type DaemonParamDelete,
  type DaemonParamSet,
  type DaemonParamsSync,
} from "../control/changes.ts";
import type { HostedDataflow } from "./host.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { filterRecords, readRunLogs } from "../logs/reader.ts";
import { runBuild } from "./build.ts";
import { linkPlan } from "./_link_plan.ts";
import { follow } from "./_log_follow.ts";
import { spawnDataflow } from "./_spawn.ts";
import type { AgentState } from "./_state.ts";
import type { NodeResult } from "../store/types.ts";
import type { SpanContext } from "../inspect/mod.ts";
import { dataflowMetrics, nodeInfo, tapPublish, tapStart } from "./_inspect.ts";

/** Answers request `method`; `shutdown` ends the daemon (for `destroy`). */
export async function handleRequest(
  s: AgentState,
  method: string,
  params: unknown,
  shutdown: (force: boolean) => Promise<void>,
): Promise<unknown> {
  const p = params as Record<string, unknown>;
  switch (method) {
    case "spawn":
      return await spawnDataflow(s, params as SpawnParams);
    case "stop": {
      const stop = params as StopParams;
      const e = s.dataflows.get(stop.uuid);
      if (!e) {
        throw new Error(`dataflow ${stop.uuid} is not running on this daemon`);
      }
      e.hosted.stop({
        graceMs: stop.graceMs,
        force: stop.force,
        trace: stop.trace,
      });
      return {};
    }
    case "logs": {
      const e = s.dataflows.get(p.uuid as string);
      if (!e) {
        throw new Error(
          `daemon "${s.daemonId}" has no logs of dataflow ${p.uuid} (it was restarted since)`,
        );
      }
      const lines = await readRunLogs(e.hosted.logDir, p.nodes as string[]);
      // Filter here so only what the CLI shows crosses the network.
      return {
        lines: p.query ? filterRecords(lines, fromWireQuery(p.query)) : lines,
      };
    }
    case "logs_follow":
      follow(s, p.uuid as string, Boolean(p.on));
      return {};
    case "metrics":
      return dataflowMetrics(s, p.uuids as string[]);
    case "node_info":
      return nodeInfo(s, p.uuids as string[]);
    case "traces":
      return { spans: s.tracer.spans() };
    case "tap_start":
      tapStart(s, p);
      return {};
    case "tap_stop":
      s.hub.unsubscribe(String(p.subscription));
      return {};
    case "tap_publish":
      tapPublish(s, p);
      return {};
    case "build":
      return { results: await build(s, p) };
    case "param_set": {
      const q = params as DaemonParamSet;
      const delivered = running(s, q.uuid).setParam(
        q.node,
        q.key,
        JSON.parse(q.json),
      );
      return { delivered };
    }
    case "param_delete": {
      const q = params as DaemonParamDelete;
      running(s, q.uuid).deleteParam(q.node, q.key);
      return { delivered: true };
    }
    case "params_sync": {
      const q = params as DaemonParamsSync;
      const hosted = running(s, q.uuid);
      for (const [node, json] of Object.entries(q.params)) {
        hosted.syncParams(node, JSON.parse(json));
      }
      return {};
    }
    case "graph_check": {
      const q = params as DaemonGraphChange;
      await running(s, q.uuid).checkGraph(q);
      return {};
    }
    case "graph_apply": {
      const q = params as DaemonGraphChange;
      const hosted = running(s, q.uuid);
      const summary = await hosted.applyGraph(q);
      // New cross-machine inputs are subscribed to (zenoh) before the answer.
      await s.opts.transport.replan?.(
        q.uuid,
        linkPlan(
          hosted.descriptor,
          q.nodeToDaemon,
          s.daemonId,
          Object.fromEntries(s.peers.get(q.uuid) ?? []),
        ),
      );
      // A coordinator that re-adopts the dataflow learns the current graph.
      const e = s.dataflows.get(q.uuid)!;
      e.params = {
        ...e.params,
        descriptor: hosted.descriptor,
        nodeToDaemon: q.nodeToDaemon,
        ...(q.source !== undefined ? { source: q.source } : {}),
      };
      return summary;
    }
    case "node_restart": {
      const q = params as DaemonNodeControl;
      running(s, q.uuid).restartNode(q.node, q.graceMs);
      return {};
    }
    case "node_stop": {
      const q = params as DaemonNodeControl;
      running(s, q.uuid).stopNode(q.node, q.graceMs);
      return {};
    }
    case "destroy":
      await shutdown(Boolean(p.force));
      return {};
    default:
      throw new Error(`unknown method "${method}"`);
  }
}

/** The running dataflow `uuid` of this daemon. */
function running(s: AgentState, uuid: string): HostedDataflow {
  const e = s.dataflows.get(uuid);
  if (!e || e.results) {
    throw new ChangeError(
      "dataflow_ended",
      `dataflow ${uuid} is not running on daemon "${s.daemonId}"`,
    );
  }
  return e.hosted;
}

/** Runs the build steps of each node in a `build_node` span. */
async function build(
  s: AgentState,
  p: Record<string, unknown>,
): Promise<Record<string, NodeResult>> {
  const results: Record<string, NodeResult> = {};
  const parent = p.trace as SpanContext | undefined;
  for (const node of p.nodes as string[]) {
    const span = s.tracer.span("build_node", {
      parent,
      fields: { node_id: node, daemon_id: s.daemonId },
    });
    Object.assign(
      results,
      await runBuild(
        p.descriptor as Dataflow,
        [node],
        (node, line) =>
          s.peer?.notify("build_log", { buildId: p.buildId, node, line }),
        { uv: Boolean(p.uv) },
      ),
    );
    const r = results[node];
    span.end({}, r && !r.ok ? r.error ?? "failed" : undefined);
  }
  return results;
}
