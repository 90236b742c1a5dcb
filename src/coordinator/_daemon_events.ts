/**
 * Events pushed by daemons: heartbeats with fault counters, the ready and
 * finished barriers, build and node logs.
 *
 * @module
 */
import type { Peer } from "../control/peer.ts";
import type { FaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";
import { isTerminal } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import { faultChanged, mergeFault } from "./fault.ts";
import { maybeRelease, maybeSettle } from "./_settle.ts";
import { stopDataflow } from "./_stop.ts";
import { errorMessage } from "../errors.ts";
import { relayTapData } from "./_taps.ts";
import type { TapBatch } from "../inspect/mod.ts";

/** Handles an event pushed by a daemon. */
export function onDaemonEvent(
  c: Coordinator,
  peer: Peer,
  event: string,
  payload: unknown,
): void {
  const daemonId = peer.data.daemonId as string | undefined;
  if (!daemonId) return; // events before hello are ignored
  const entry = c.daemons.get(daemonId);
  if (!entry || entry.peer !== peer) return; // stale link
  entry.lastHeartbeat = Date.now();
  const p = payload as Record<string, unknown>;
  switch (event) {
    case "heartbeat":
      onFaultReport(
        c,
        daemonId,
        (p?.fault ?? {}) as Record<string, FaultSummary>,
      );
      return;
    case "dataflow_ready": {
      const live = c.live.get(p.uuid as string);
      if (!live) return;
      live.ready.add(daemonId);
      maybeRelease(c, live);
      return;
    }
    case "dataflow_finished": {
      const live = c.live.get(p.uuid as string);
      if (!live) return;
      if (p.fault) live.fault.set(daemonId, p.fault as FaultSummary);
      live.finished.set(
        daemonId,
        (p.results ?? {}) as Record<string, NodeResult>,
      );
      maybeSettle(c, live);
      return;
    }
    case "dataflow_stop_requested": {
      // An operator returned STOP_ALL: the whole dataflow stops.
      if (!c.live.has(p.uuid as string)) return;
      c.config.log(
        `node "${p.node}" of dataflow ${p.uuid} asked to stop it (STOP_ALL)`,
      );
      stopDataflow(c, p.uuid as string, {}).catch((err) =>
        c.config.log(`stopping dataflow ${p.uuid} failed: ${errorMessage(err)}`)
      );
      return;
    }
    case "build_log": {
      c.builds.get(p.buildId as string)?.notify("build_log", p);
      return;
    }
    case "tap_data":
      relayTapData(c, payload as TapBatch);
      return;
    case "log": {
      const set = c.followers.get(p.uuid as string);
      for (const f of set ?? []) f.notify("log", p);
      return;
    }
  }
}

/**
 * Fault counters a daemon reported for the dataflows it runs (by uuid):
 * kept per daemon and stored with the record when they changed.
 */
export function onFaultReport(
  c: Coordinator,
  daemonId: string,
  byUuid: Record<string, FaultSummary>,
): void {
  for (const [uuid, summary] of Object.entries(byUuid)) {
    const live = c.live.get(uuid);
    if (!live || !live.daemons.has(daemonId) || !summary) continue;
    live.fault.set(daemonId, summary);
    const record = c.config.store.getDataflow(uuid);
    if (!record || isTerminal(record.status)) continue;
    const merged = mergeFault(live.fault.values());
    if (!faultChanged(record.fault, merged)) continue;
    record.fault = merged;
    c.config.store.putDataflow(record);
  }
}
