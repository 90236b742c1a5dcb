/**
 * What every change to a running dataflow shares: changes to one dataflow
 * run one at a time, in the order they came (each is answered), and the
 * checks that the dataflow runs and has the node.
 *
 * @module
 */
import { ChangeError } from "../control/changes.ts";
import { didYouMean } from "../descriptor/suggest.ts";
import type { DataflowRecord } from "../store/types.ts";
import { isTerminal } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";

/**
 * Runs `fn` after every earlier change of dataflow `uuid` settled: changes
 * are serialised per dataflow, so each one sees the state the previous one
 * left.
 */
export function serialized<T>(
  c: Coordinator,
  uuid: string,
  fn: () => Promise<T> | T,
): Promise<T> {
  const map = c.changeQueues;
  const before = map.get(uuid) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.then(() => {}, () => {});
  map.set(uuid, settled);
  settled.then(() => {
    if (map.get(uuid) === settled) map.delete(uuid);
  });
  return run;
}

/** `"robot" (0192…)` or the uuid. */
export function describe(r: { uuid: string; name?: string }): string {
  return r.name ? `"${r.name}" (${r.uuid})` : r.uuid;
}

/** The dataflow `ref` names, which must still run. */
export function runningRecord(c: Coordinator, ref: string): DataflowRecord {
  const r = c.resolve(ref);
  if (isTerminal(r.status) || !c.live.has(r.uuid)) {
    throw new ChangeError(
      "dataflow_ended",
      `dataflow ${describe(r)} is not running (it ${r.status})`,
    );
  }
  return r;
}

/** The daemon that runs `node` of `r`; an unknown node is a `ChangeError`. */
export function daemonOf(r: DataflowRecord, node: string): string {
  const daemon = r.nodeToDaemon[node];
  if (daemon === undefined) {
    const nodes = Object.keys(r.nodeToDaemon);
    throw new ChangeError(
      "unknown_node",
      `dataflow ${describe(r)} has no node "${node}"${
        didYouMean(node, nodes) ||
        ` (its nodes: ${nodes.map((n) => `"${n}"`).join(", ")})`
      }`,
    );
  }
  return daemon;
}
