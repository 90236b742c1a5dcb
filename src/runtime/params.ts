/**
 * Runtime parameters of the local nodes: the current values of each node
 * (its `params:` to begin with), sent whole in `hello_ok` to every process
 * that connects (a restarted node gets the values of the moment), and each
 * change as a `param_update` / `param_deleted` event to a connected node.
 *
 * @module
 */
import {
  type NodeParams,
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "../descriptor/node_params.ts";
import type { RuntimeContext } from "./_context.ts";
import { deliver } from "./delivery/_delivery.ts";
import type { RunningNode } from "./running_node.ts";
import { RuntimeChangeError } from "./change_error.ts";

/** The local node `id`, or a {@link RuntimeChangeError} naming it. */
export function localNode(rt: RuntimeContext, id: string): RunningNode {
  const node = rt.nodes.get(id);
  if (!node) {
    throw new RuntimeChangeError(
      "unknown_node",
      `no node "${id}" in dataflow ${rt.id}`,
    );
  }
  if (!node.local) {
    throw new RuntimeChangeError(
      "not_local",
      `node "${id}" does not run on this machine`,
    );
  }
  return node;
}

/** A copy of the parameters of local node `id`. */
export function paramsOf(rt: RuntimeContext, id: string): NodeParams {
  return structuredClone(localNode(rt, id).params);
}

/**
 * Sets a parameter of local node `id`; true when the running node was told
 * (it is connected), false when it gets the value when it next connects.
 */
export function setParam(
  rt: RuntimeContext,
  id: string,
  key: string,
  value: ParamValue,
): boolean {
  const node = localNode(rt, id);
  const problem = paramKeyProblem(key) ?? paramValueProblem(value);
  if (problem) throw new RuntimeChangeError("bad_param", problem);
  node.params[key] = structuredClone(value);
  return tell(rt, node, { t: "param_update", key, value });
}

/**
 * Deletes a parameter of local node `id`; false when it had none. A
 * connected node gets `param_deleted`.
 */
export function deleteParam(
  rt: RuntimeContext,
  id: string,
  key: string,
): boolean {
  const node = localNode(rt, id);
  if (!Object.hasOwn(node.params, key)) return false;
  delete node.params[key];
  tell(rt, node, { t: "param_deleted", key });
  return true;
}

/**
 * Makes the parameters of local node `id` equal to `params` (what the
 * coordinator stores), telling a connected node what differs.
 */
export function syncParams(
  rt: RuntimeContext,
  id: string,
  params: NodeParams,
): void {
  const node = localNode(rt, id);
  for (const key of Object.keys(node.params)) {
    if (!Object.hasOwn(params, key)) deleteParam(rt, id, key);
  }
  for (const [key, value] of Object.entries(params)) {
    if (JSON.stringify(node.params[key]) !== JSON.stringify(value)) {
      setParam(rt, id, key, value);
    }
  }
}

/** Queues a parameter event for a connected node (never dropped). */
function tell(
  rt: RuntimeContext,
  node: RunningNode,
  header: Record<string, unknown>,
): boolean {
  if (!node.alive || !node.connected || !node.conn) return false;
  node.queue.pushControl(header);
  deliver(rt, node);
  return true;
}
