/**
 * The coordinator's requests to a daemon: spawn, stop, logs, metrics,
 * build, destroy.
 *
 * @module
 */
import type {
  DataflowMetrics,
  SpawnParams,
  StopParams,
} from "../control/coordinator_daemon.ts";
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
import { follow } from "./_log_follow.ts";
import { spawnDataflow } from "./_spawn.ts";
import type { AgentState } from "./_state.ts";

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
      e.hosted.stop({ graceMs: stop.graceMs, force: stop.force });
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
      return metrics(s, p.uuids as string[]);
    case "build": {
      const results = await runBuild(
        p.descriptor as Dataflow,
        p.nodes as string[],
        (node, line) =>
          s.peer?.notify("build_log", { buildId: p.buildId, node, line }),
        { uv: Boolean(p.uv) },
      );
      return { results };
    }
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
      running(s, q.uuid).checkGraph(q);
      return {};
    }
    case "graph_apply": {
      const q = params as DaemonGraphChange;
      const hosted = running(s, q.uuid);
      const summary = hosted.applyGraph(q);
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

/** CPU, memory, pids and fault counters of the running dataflows asked for. */
function metrics(
  s: AgentState,
  uuids: string[],
): Record<string, DataflowMetrics> {
  const out: Record<string, DataflowMetrics> = {};
  for (const uuid of uuids) {
    const e = s.dataflows.get(uuid);
    if (!e || e.results) continue;
    const pids = e.hosted.pids();
    const fault = e.hosted.faultSummary();
    out[uuid] = {
      ...s.sampler.sample(pids),
      pids,
      ...(fault ? { fault } : {}),
    };
  }
  return out;
}
