/**
 * Which operator files `--hot-reload` watches: Python and TypeScript
 * operators of the given runtime nodes (shared libraries cannot be
 * reloaded in place).
 *
 * @module
 */
import type { NodeSpec } from "../descriptor/mod.ts";
import type { WatchedOperator } from "./hot_reload.ts";

/** The reloadable operator files of `nodes`, absolute (relative to `workingDir`). */
export function reloadableOperators(
  nodes: NodeSpec[],
  workingDir: string,
): WatchedOperator[] {
  const out: WatchedOperator[] = [];
  for (const node of nodes) {
    for (const op of node.operators ?? []) {
      const file = op.source.python ?? op.source.typescript;
      if (file === undefined || /^https?:\/\//.test(file)) continue;
      out.push({
        node: node.id,
        operator: op.id,
        file: file.startsWith("/") ? file : `${workingDir}/${file}`,
      });
    }
  }
  return out;
}
