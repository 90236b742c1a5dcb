/**
 * `dora build` on a machine: the build stage of src/build (git clones,
 * `build:` commands, URL sources) for the nodes asked for, with one result
 * per node. Used by daemons (for the coordinator's `build`) and by
 * `dora build --local`.
 *
 * @module
 */
import type { Dataflow } from "../descriptor/mod.ts";
import type { NodeResult } from "../store/types.ts";
import {
  buildDataflow,
  BuildError,
  ensureUv,
  ensureUvVenv,
  needsBuild,
  UvError,
} from "../build/mod.ts";

/** Receives one output line of a build step. */
export type BuildLine = (node: string, line: string) => void;

/**
 * Builds `nodes` (every node with something to build when undefined), in
 * order, each failure recorded for its node. With `uv`, uv is found (or
 * installed) on this machine and `pip` lines run as `uv pip`.
 */
export async function runBuild(
  dataflow: Dataflow,
  nodes: string[] | undefined,
  onLine: BuildLine,
  opts: { uv?: boolean } = {},
): Promise<Record<string, NodeResult>> {
  const results: Record<string, NodeResult> = {};
  const wanted = dataflow.nodes.filter((n) =>
    nodes ? nodes.includes(n.id) : needsBuild(n)
  );
  let uv: string | undefined;
  if (opts.uv && wanted.length > 0) {
    const first = wanted[0]!.id;
    try {
      uv = await ensureUv((line) => onLine(first, line));
      await ensureUvVenv(uv, dataflow.workingDir, (l) => onLine(first, l));
    } catch (err) {
      if (!(err instanceof UvError)) throw err;
      for (const n of wanted) {
        results[n.id] = {
          ok: false,
          error: `uv: ${err.message} (${err.hint})`,
        };
      }
      return results;
    }
  }
  for (const node of wanted) {
    try {
      await buildDataflow(dataflow, {
        build: true,
        nodes: [node.id],
        uv,
        onLine,
      });
      results[node.id] = { ok: true };
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      results[node.id] = {
        ok: false,
        error: [err.detail, ...err.details()].join("\n"),
      };
    }
  }
  return results;
}
