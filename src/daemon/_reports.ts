/**
 * What a daemon tells the coordinator about its dataflows: re-adoption
 * reports in the hello, fault counters in each heartbeat.
 *
 * @module
 */
import type {
  AdoptReport,
  DaemonHeartbeat,
} from "../control/coordinator_daemon.ts";
import type { FaultSummary } from "../fault/counters.ts";
import type { Entry } from "./_state.ts";

/** The dataflows the coordinator does not know the end of yet. */
export function adoptReports(dataflows: Map<string, Entry>): AdoptReport[] {
  return [...dataflows.values()].filter((e) => !e.reported).map((e) => ({
    uuid: e.params.uuid,
    name: e.params.name,
    descriptor: e.params.descriptor,
    env: e.params.env,
    nodeToDaemon: e.params.nodeToDaemon,
    state: e.results ? "finished" : "running",
    results: e.results,
    fault: e.hosted.faultSummary(),
    ready: e.ready,
    released: e.released,
    startedAt: e.startedAt,
    ...(e.params.source !== undefined ? { source: e.params.source } : {}),
    ...(e.results ? {} : { params: paramsJson(e) }),
  }));
}

/** The current parameters of a running dataflow's local nodes, as JSON text. */
function paramsJson(e: Entry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(e.hosted.params()).map(([n, p]) => [n, JSON.stringify(p)]),
  );
}

/** Heartbeat payload: the fault counters of running dataflows. */
export function heartbeatPayload(
  dataflows: Map<string, Entry>,
): DaemonHeartbeat {
  const fault: Record<string, FaultSummary> = {};
  for (const [uuid, e] of dataflows) {
    if (e.results) continue;
    const f = e.hosted.faultSummary();
    if (f) fault[uuid] = f;
  }
  return Object.keys(fault).length ? { fault } : {};
}
