/**
 * Per-node fault counters and status: the structured summary shown at the end
 * of `dora run`, written to the logs, and exposed by `dora list --format json`.
 *
 * @module
 */

/** Where a node stands, as far as fault tolerance is concerned. */
export type NodeFaultStatus =
  | "starting"
  | "running"
  | "restarting"
  | "degraded"
  | "finished"
  | "stopped"
  | "failed";

/** Counters of one node. */
export interface NodeFaultStats {
  status: NodeFaultStatus;
  restarts: number;
  healthCheckKills: number;
  inputTimeouts: number;
  recoveries: number;
  droppedMessages: number;
  /** Inputs currently closed by the circuit breaker. */
  brokenInputs: string[];
  /** Why the node failed or was last restarted. */
  lastError?: string;
  /**
   * What fault tolerance did when the node failed: the health check killed
   * it, it did not connect in time, or it ran out of restarts (`note` then
   * says `max restarts (N) exceeded, giving up`).
   */
  failure?: {
    kind: "health-check" | "startup-timeout" | "max-restarts";
    note?: string;
  };
}

/** Counter names summed in {@linkcode FaultSummary.totals}. */
export const COUNTER_NAMES = [
  "restarts",
  "healthCheckKills",
  "inputTimeouts",
  "recoveries",
  "droppedMessages",
] as const;

/** One counter name. */
export type CounterName = typeof COUNTER_NAMES[number];

/** The fault summary of a dataflow (JSON-serialisable). */
export interface FaultSummary {
  nodes: Record<string, NodeFaultStats>;
  totals: Record<CounterName, number>;
}

/** Fresh counters for a node. */
export function emptyStats(): NodeFaultStats {
  return {
    status: "starting",
    restarts: 0,
    healthCheckKills: 0,
    inputTimeouts: 0,
    recoveries: 0,
    droppedMessages: 0,
    brokenInputs: [],
  };
}

/** Builds the summary (a deep copy) with totals. */
export function summarize(
  stats: ReadonlyMap<string, NodeFaultStats>,
): FaultSummary {
  const nodes: Record<string, NodeFaultStats> = {};
  const totals = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Record<
    CounterName,
    number
  >;
  for (const [id, s] of stats) {
    nodes[id] = { ...s, brokenInputs: [...s.brokenInputs] };
    for (const n of COUNTER_NAMES) totals[n] += s[n];
  }
  return { nodes, totals };
}

const LABELS: Record<CounterName, [string, string]> = {
  restarts: ["restart", "restarts"],
  healthCheckKills: ["health-check kill", "health-check kills"],
  inputTimeouts: ["input timeout", "input timeouts"],
  recoveries: ["recovery", "recoveries"],
  droppedMessages: ["dropped message", "dropped messages"],
};

/**
 * Lines for people: one per node with a non-zero counter or a failure, e.g.
 * `  crashy: 2 restarts, failed (max restarts (2) exceeded, giving up)`.
 * Empty when nothing happened.
 */
export function formatFaultSummary(summary: FaultSummary): string[] {
  const lines: string[] = [];
  for (const [id, s] of Object.entries(summary.nodes)) {
    const parts = COUNTER_NAMES.filter((n) => s[n] > 0).map((n) =>
      `${s[n]} ${LABELS[n][s[n] === 1 ? 0 : 1]}`
    );
    if (s.status === "failed") {
      parts.push(`failed${s.lastError ? ` (${s.lastError})` : ""}`);
    } else if (s.status === "degraded") {
      parts.push(`degraded (${s.brokenInputs.join(", ")} timed out)`);
    }
    if (parts.length > 0) lines.push(`  ${id}: ${parts.join(", ")}`);
  }
  return lines.length > 0 ? ["fault tolerance:", ...lines] : [];
}
