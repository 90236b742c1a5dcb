/**
 * A node on another machine that will never send again (its daemon was
 * lost): its local receivers get NODE_FAILED, then INPUT_CLOSED, as if it
 * had failed here. Nothing else of the dataflow changes.
 *
 * @module
 */
import type { RuntimeContext } from "../_context.ts";
import { closeOutput } from "../delivery/_forwarding.ts";
import { deliver } from "../delivery/_delivery.ts";
import { maybeFinish } from "./_finish.ts";

/** Fails remote node `id` with `error` for the local receivers of its open outputs. */
export function remoteNodeLost(
  rt: RuntimeContext,
  id: string,
  error: string,
): void {
  const node = rt.nodes.get(id);
  if (!node || node.local || node.openOutputs.size === 0) return;
  const byReceiver = new Map<string, string[]>();
  for (const output of node.openOutputs) {
    for (const r of rt.routing.receivers(id, output)) {
      const inputs = byReceiver.get(r.node) ?? [];
      inputs.push(r.input);
      byReceiver.set(r.node, inputs);
    }
  }
  for (const [receiver, inputs] of byReceiver) {
    const rn = rt.nodes.get(receiver);
    if (!rn?.alive) continue;
    rn.queue.pushControl({ t: "node_failed", id, inputs, error });
    deliver(rt, rn);
  }
  for (const output of [...node.openOutputs]) closeOutput(rt, node, output);
  maybeFinish(rt);
}
