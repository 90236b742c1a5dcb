/**
 * How a finished dataflow is reported: its status, every input that dropped
 * messages, and what fault tolerance did.
 *
 * @module
 */
import { type FaultSummary, formatFaultSummary } from "../fault/counters.ts";

/**
 * Outcome lines for a finished dataflow (with dropped messages and what fault
 * tolerance did); `failed` when a node failed.
 */
export function describeOutcome(o: {
  uuid: string;
  name?: string;
  status: string;
  error?: string;
  results?: Record<string, { drops?: Record<string, number> }>;
  fault?: FaultSummary;
}): { line: string; failed: boolean } {
  const who = o.name ? `${o.name} (${o.uuid})` : o.uuid;
  // Drops are never silent: name every input that lost messages.
  const drops =
    Object.entries(o.results ?? {}).flatMap(([node, r]) =>
      Object.entries(r.drops ?? {}).map(([input, n]) =>
        `\nwarning: ${node}/${input} dropped ${n} message(s) (queue full, drop_oldest)`
      )
    ).join("") + (o.fault ? formatFaultSummary(o.fault) : []).map((l) =>
      `\n${l}`
    ).join("");
  if (o.status === "failed") {
    return {
      line: `dataflow ${who} failed: ${o.error ?? "unknown error"}${drops}`,
      failed: true,
    };
  }
  return { line: `dataflow ${who} ${o.status}${drops}`, failed: false };
}
