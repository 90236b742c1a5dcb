/**
 * Fault-tolerance counters of a dataflow as the coordinator sees them: each
 * daemon reports the counters of its own nodes (with heartbeats, `metrics`
 * answers and `dataflow_finished`), merged here into one summary.
 *
 * @module
 */
import {
  COUNTER_NAMES,
  type CounterName,
  type FaultSummary,
} from "../fault/counters.ts";

/**
 * Merges per-daemon summaries (their nodes are disjoint) and recomputes the
 * totals; undefined when no daemon reported any.
 */
export function mergeFault(
  parts: Iterable<FaultSummary | undefined>,
): FaultSummary | undefined {
  let merged: FaultSummary | undefined;
  for (const part of parts) {
    if (!part) continue;
    merged ??= { nodes: {}, totals: zeroTotals() };
    Object.assign(merged.nodes, structuredClone(part.nodes));
  }
  if (!merged) return undefined;
  for (const stats of Object.values(merged.nodes)) {
    for (const n of COUNTER_NAMES) merged.totals[n] += stats[n] ?? 0;
  }
  return merged;
}

function zeroTotals(): Record<CounterName, number> {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Record<
    CounterName,
    number
  >;
}

/** Whether two summaries differ (to skip store writes when nothing changed). */
export function faultChanged(
  a: FaultSummary | undefined,
  b: FaultSummary | undefined,
): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}
