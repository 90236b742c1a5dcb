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
    case "destroy":
      await shutdown(Boolean(p.force));
      return {};
    default:
      throw new Error(`unknown method "${method}"`);
  }
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
