/**
 * `dora node restart` / `dora node stop` through the coordinator: passed on
 * to the daemon that runs the node, which runs the node's stop ladder.
 *
 * @module
 */
import {
  ChangeError,
  type DaemonNodeControl,
  type NodeControlParams,
  type NodeControlResult,
} from "../control/changes.ts";
import type { Coordinator } from "./coordinator.ts";
import { daemonOf, runningRecord, serialized } from "./_changes.ts";
import { withTimeout } from "./util.ts";

/** Restarts (`node_restart`) or stops (`node_stop`) one node. */
export function nodeControl(
  c: Coordinator,
  method: "node_restart" | "node_stop",
  p: NodeControlParams,
): Promise<NodeControlResult> {
  const graceMs = p.graceMs === undefined ? undefined : Number(p.graceMs);
  if (graceMs !== undefined && !(Number.isFinite(graceMs) && graceMs >= 0)) {
    throw new RangeError(`graceMs must be a number >= 0, got ${p.graceMs}`);
  }
  const r0 = c.resolve(String(p.ref));
  return serialized(c, r0.uuid, async () => {
    const r = runningRecord(c, r0.uuid);
    const node = String(p.node);
    const daemonId = daemonOf(r, node);
    const d = c.daemons.get(daemonId);
    if (!d) {
      throw new ChangeError(
        "not_running",
        `daemon "${daemonId}", which runs node "${node}", is not connected`,
      );
    }
    const request: DaemonNodeControl = { uuid: r.uuid, node, graceMs };
    await withTimeout(
      d.peer.call(method, request),
      10_000,
      `daemon "${daemonId}" did not answer within 10s`,
    );
    return { uuid: r.uuid, name: r.name, node };
  });
}
