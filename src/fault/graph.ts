/**
 * Who listens to whom: the downstream receivers of a node, for NODE_RESTARTED
 * and NODE_FAILED.
 *
 * @module
 */
import type { Dataflow } from "../descriptor/model.ts";

/** Receiver node → its input ids fed by the given upstream node. */
export type Downstream = Map<string, string[]>;

/** For every node, the receivers of its outputs and their affected inputs. */
export function downstreamOf(dataflow: Dataflow): Map<string, Downstream> {
  const out = new Map<string, Downstream>();
  for (const n of dataflow.nodes) out.set(n.id, new Map());
  for (const receiver of dataflow.nodes) {
    for (const input of receiver.inputs) {
      if (input.source.kind !== "node") continue;
      const down = out.get(input.source.node);
      if (!down) continue;
      const inputs = down.get(receiver.id) ?? [];
      inputs.push(input.id);
      down.set(receiver.id, inputs);
    }
  }
  return out;
}
