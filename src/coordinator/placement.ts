/**
 * Which daemon runs a node: `deploy.machine` (or `_unstable_deploy.machine`)
 * picks the daemon with that machine id, `deploy.labels` the first daemon
 * whose labels include them, otherwise the default daemon.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";

/** What placement needs to know about a connected daemon. */
export interface PlacementDaemon {
  daemonId: string;
  machineId?: string;
  labels: Record<string, string>;
}

/** The daemon id for every node; throws an Error naming what is missing. */
export function placeNodes(
  dataflow: Dataflow,
  daemons: PlacementDaemon[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const node of dataflow.nodes) out[node.id] = placeNode(node, daemons);
  return out;
}

function placeNode(node: NodeSpec, daemons: PlacementDaemon[]): string {
  const machine = node.deploy?.machine;
  const connected = daemons.map((d) => d.machineId ?? "(default)").join(", ") ||
    "none";
  if (machine !== undefined) {
    const d = daemons.find((d) => d.machineId === machine);
    if (!d) {
      throw new Error(
        `node "${node.id}" is deployed to machine "${machine}", but no daemon with machine id "${machine}" is connected (connected: ${connected}); start one with \`dora daemon --machine-id ${machine}\``,
      );
    }
    return d.daemonId;
  }
  const labels = node.deploy?.labels;
  if (labels && Object.keys(labels).length > 0) {
    const d = daemons.find((d) =>
      Object.entries(labels).every(([k, v]) => d.labels[k] === v)
    );
    if (!d) {
      const want = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(
        ",",
      );
      throw new Error(
        `node "${node.id}" needs a daemon with labels ${want}, but no connected daemon has them (connected: ${connected})`,
      );
    }
    return d.daemonId;
  }
  const d = daemons.find((d) => d.machineId === undefined) ?? daemons[0];
  if (!d) {
    throw new Error(
      "no daemon is connected to the coordinator (run `dora up`, or `dora daemon`)",
    );
  }
  return d.daemonId;
}
