/**
 * The counters nodes report for what went over their links (`stats`):
 * stored per process, summed over restarts, and turned into the drop
 * warnings and `onDrop` events the runtime gives for its own queues.
 *
 * @module
 */
import type { StatsHeader } from "../../message/mod.ts";
import type { RuntimeContext } from "../_context.ts";
import { addTotals, type RunningNode, totalsOf } from "../running_node.ts";
import { dropsChanged } from "./_delivery.ts";

/** A node's `stats`: its counters since its process started. */
export function onStats(
  rt: RuntimeContext,
  node: RunningNode,
  h: StatsHeader,
): void {
  const before = totalsOf(node);
  node.stats = h;
  const after = totalsOf(node);
  // Its own queues dropped more.
  for (const [input, n] of Object.entries(after.drops)) {
    if (n > (before.drops[input] ?? 0)) {
      const source = node.spec.inputs.find((i) => i.id === input)?.source;
      dropsChanged(
        rt,
        node,
        input,
        source?.kind === "node" ? source.node : "dora",
      );
    }
  }
  // Its links to receivers dropped more.
  for (const [receiver, inputs] of Object.entries(after.lost)) {
    const r = rt.nodes.get(receiver);
    if (!r) continue;
    for (const [input, n] of Object.entries(inputs)) {
      if (n > (before.lost[receiver]?.[input] ?? 0)) {
        dropsChanged(rt, r, input, node.spec.id);
      }
    }
  }
}

/** A node's process ended: its counters join the sum of earlier processes. */
export function foldStats(node: RunningNode): void {
  if (!node.stats) return;
  node.statsBase = addTotals(node.statsBase, node.stats);
  node.stats = undefined;
}
