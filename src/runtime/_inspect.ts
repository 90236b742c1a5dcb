/**
 * The runtime's counters of its local nodes for `dora top` and `dora node`:
 * pid, restarts, fault status, and per input / output the messages queued,
 * received, dropped and sent so far (rates are computed by whoever samples
 * them, see `src/inspect/node_metrics.ts`).
 *
 * @module
 */
import type { NodeCounters } from "../inspect/node_info.ts";
import type { RuntimeContext } from "./_context.ts";

/** The counters of every local node, now. */
export function nodeCounters(rt: RuntimeContext): NodeCounters[] {
  const fault = rt.fault?.supervisor.summary();
  const out: NodeCounters[] = [];
  for (const n of rt.nodes.values()) {
    if (!n.local) continue;
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
    out.push({
      id: spec.id,
      pid: running ? n.process!.pid : undefined,
      connected: n.connected,
      exited: n.exited,
      outcome: n.outcome,
      restarts: n.restarts,
      restarting: !n.exited && n.process !== undefined && !running,
      fault: fault?.nodes[spec.id],
      inputs: n.queue.stats().map((s) => ({
        ...s,
        source: sources.get(s.id) ?? "",
      })),
      outputs: outputs.map((o) => ({
        id: o,
        sent: n.routedSent.get(o)?.n ?? 0,
        taps: rt.taps.get(`${spec.id}/${o}`)?.size ?? 0,
        open: !n.exited && n.openOutputs.has(o),
      })),
    });
  }
  return out;
}
