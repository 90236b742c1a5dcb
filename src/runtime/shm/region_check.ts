/**
 * The check every region name from a node goes through before the runtime
 * reads, holds, forwards or later unlinks it: it must be one of that node's
 * own regions, in the exact form the node APIs create (shm/region_name.ts).
 *
 * @module
 */
import type { RuntimeContext } from "../_context.ts";
import type { RunningNode } from "../running_node.ts";
import { regionNameProblem, regionPrefix } from "../../shm/mod.ts";

const prefixes = new WeakMap<RunningNode, string>();

/** Why `name` is not a region of `node`, or undefined when it is. */
export function foreignRegion(
  rt: RuntimeContext,
  node: RunningNode,
  name: unknown,
): string | undefined {
  let prefix = prefixes.get(node);
  if (prefix === undefined) {
    prefix = regionPrefix(rt.id, node.spec.id);
    prefixes.set(node, prefix);
  }
  return regionNameProblem(name, node.spec.id, prefix);
}
