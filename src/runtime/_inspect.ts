/**
 * The runtime's counters of its local nodes for `dora top` and `dora node`:
 * pid, restarts, fault status, and per input / output the messages queued,
 * received, dropped and sent so far, whether through the runtime or over
 * links between nodes (rates are computed by whoever samples
 * them, see `src/inspect/node_metrics.ts`).
 *
 * @module
 */
import type { NodeCounters } from "../inspect/node_info.ts";
import type { RuntimeContext } from "./_context.ts";
import { totalsOf } from "./running_node.ts";
import { dropsOf } from "./delivery/_delivery.ts";

/** The counters of every local node, now. */
export function nodeCounters(rt: RuntimeContext): NodeCounters[] {
  const fault = rt.fault?.supervisor.summary();
  const out: NodeCounters[] = [];
  for (const n of rt.nodes.values()) {
    // Only the current graph: a node that `dora node remove` took out is not.
    if (!n.local || !rt.dataflow.nodes.includes(n.spec)) continue;
    const spec = n.spec;
    const sources = new Map(spec.inputs.map((i) => [i.id, i.sourceText]));
    const outputs = [
      ...new Set(
        [...spec.outputs, spec.sendStdoutAs, spec.sendLogsAs].filter((
          o,
        ): o is string => !!o),
      ),
    ];
    const running = n.process !== undefined && !n.process.hasExited;
    const totals = totalsOf(n);
    const drops = dropsOf(rt, n);
    out.push({
      id: spec.id,
      pid: running ? n.process!.pid : undefined,
      connected: n.connected,
      exited: n.exited,
      outcome: n.outcome,
      restarts: n.restarts,
      restarting: !n.exited && n.process !== undefined && !running,
      fault: fault?.nodes[spec.id],
      // The runtime's own queue plus what came over links (as the node
      // reports it every half second), drops of both and of the senders.
      inputs: n.queue.stats().map((s) => ({
        ...s,
        received: s.received + (totals.in?.[s.id] ?? 0),
        dropped: drops[s.id] ?? 0,
        source: sources.get(s.id) ?? "",
      })),
      outputs: outputs.map((o) => ({
        id: o,
        sent: (n.routedSent.get(o)?.n ?? 0) + (totals.out?.[o] ?? 0),
        taps: rt.taps.get(`${spec.id}/${o}`)?.size ?? 0,
        open: !n.exited && n.openOutputs.has(o),
      })),
    });
  }
  return out;
}
