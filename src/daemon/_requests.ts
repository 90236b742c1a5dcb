/**
 * The coordinator's requests to a daemon: spawn, stop, logs, metrics,
 * build, destroy.
 *
 * @module
 */
import type { SpawnParams, StopParams } from "../control/coordinator_daemon.ts";
import { fromWireQuery } from "../control/log_query.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { filterRecords, readRunLogs } from "../logs/reader.ts";
import { runBuild } from "./build.ts";
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
    case "destroy":
      await shutdown(Boolean(p.force));
      return {};
    default:
      throw new Error(`unknown method "${method}"`);
  }
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
