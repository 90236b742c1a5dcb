/**
 * What of a dataflow crosses machines, seen from one daemon: the transport's
 * {@link LinkPlan} (which remote outputs to subscribe to, which local
 * outputs other daemons read).
 *
 * @module
 */
import type { Dataflow } from "../descriptor/mod.ts";
import type { DataAddress, LinkPlan } from "../transport/types.ts";

/** The link plan of daemon `self` for `dataflow` placed by `nodeToDaemon`. */
export function linkPlan(
  dataflow: Dataflow,
  nodeToDaemon: Record<string, string>,
  self: string,
  peers: Record<string, DataAddress>,
): LinkPlan {
  const receive = new Map<string, { node: string; output: string }>();
  const send = new Map<
    string,
    { node: string; output: string; daemons: Set<string> }
  >();
  for (const n of dataflow.nodes) {
    const reader = nodeToDaemon[n.id];
    if (reader === undefined) continue;
    for (const i of n.inputs) {
      if (i.source.kind !== "node") continue;
      const { node, output } = i.source;
      const writer = nodeToDaemon[node];
      if (writer === undefined || writer === reader) continue;
      const key = `${node}/${output}`;
      if (reader === self) receive.set(key, { node, output });
      if (writer === self) {
        const s = send.get(key) ?? { node, output, daemons: new Set() };
        s.daemons.add(reader);
        send.set(key, s);
      }
    }
  }
  return {
    receive: [...receive.values()],
    send: [...send.values()].map((s) => ({
      node: s.node,
      output: s.output,
      peers: [...s.daemons].map((d) => peers[d]).filter((p) => p !== undefined),
    })),
  };
}
