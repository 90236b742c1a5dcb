/**
 * The two barriers of a live dataflow: `release` once every daemon is ready,
 * and the outcome once every daemon finished (or was lost).
 *
 * @module
 */
import { formatFaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import { mergeFault } from "./fault.ts";
import type { DataflowOutcome, LiveDataflow } from "./live.ts";
import { endTapsOf } from "./_taps.ts";

/** Releases the barrier once every daemon of `live` is ready (latched). */
export function maybeRelease(c: Coordinator, live: LiveDataflow): void {
  if (live.released || ![...live.daemons].every((d) => live.ready.has(d))) {
    return;
  }
  live.released = true;
  for (const d of live.daemons) {
    c.daemons.get(d)?.peer.notify("release", { uuid: live.uuid });
  }
}

/** Records the outcome once every daemon of `live` finished. */
export function maybeSettle(c: Coordinator, live: LiveDataflow): void {
  if (live.outcome || !live.allFinished) return;
  const results: Record<string, NodeResult> = {};
  for (const r of live.finished.values()) Object.assign(results, r);
  const failed = Object.entries(results).filter(([, r]) => !r.ok);
  const record = c.config.store.getDataflow(live.uuid);
  const outcome: DataflowOutcome = {
    uuid: live.uuid,
    name: record?.name,
    status: failed.length ? "failed" : "finished",
    error: failed.length
      ? failed.map(([n, r]) => `${n}: ${r.error ?? "failed"}`).join("; ")
      : undefined,
    results,
    fault: mergeFault(live.fault.values()),
  };
  const faultLines = outcome.fault ? formatFaultSummary(outcome.fault) : [];
  if (faultLines.length) {
    c.config.log(
      `dataflow ${live.uuid} ${faultLines[0]} ${
        faultLines.slice(1).map((l) => l.trim()).join("; ")
      }`,
    );
  }
  if (record) {
    record.status = outcome.status;
    record.nodeResults = results;
    if (outcome.fault) record.fault = outcome.fault;
    if (outcome.error) record.error = outcome.error;
    record.updatedAt = Date.now();
    c.config.store.putDataflow(record);
  }
  c.live.delete(live.uuid);
  endTapsOf(c, live.uuid, outcome.status);
  live.settle(outcome);
  for (const f of c.followers.get(live.uuid) ?? []) {
    f.notify("finished", outcome);
  }
  c.followers.delete(live.uuid);
}
