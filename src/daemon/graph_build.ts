/**
 * The build stage of a graph change (`dora node add`, `dora node replace`)
 * on one machine. The local nodes that join or get a new definition go
 * through the build stage as at `dora run` / `dora build` (git clone,
 * `build:` commands, URL source) before anything changes, so a failing
 * build changes nothing; the other local nodes are resolved as at start
 * (their clone, their cached download), so that they compare equal to
 * what already runs and are not restarted.
 *
 * Consent for `build:` commands is asked by the CLI that makes the change
 * (`--allow-shell-nodes`, a trusted file, or a terminal prompt), as for
 * `dora build` through a coordinator.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import { buildDataflow, BuildError, needsBuild } from "../build/mod.ts";

/** How a graph change builds. */
export interface ChangeBuildOptions {
  /** Run the build stage (false: only resolve, as `dora run --no-build`). */
  build: boolean;
  /** The uv executable of a `--uv` dataflow. */
  uv?: string;
  /** One output line of a node's build. */
  onLine?: (node: string, line: string) => void;
}

/** A node's definition without its wiring and parameters. */
function definition(spec: NodeSpec | undefined): string {
  if (!spec) return "";
  const { inputs: _i, params: _p, ...rest } = spec;
  return JSON.stringify(rest);
}

/**
 * The nodes of `next` among `local` that the change brings or redefines
 * and that have something to build, compared with `before` (both as the
 * descriptor gives them, before any build resolved them).
 */
export function nodesToBuild(
  before: Dataflow,
  next: Dataflow,
  local: string[],
): string[] {
  return next.nodes.filter((n) =>
    local.includes(n.id) && needsBuild(n) &&
    definition(before.nodes.find((o) => o.id === n.id)) !== definition(n)
  ).map((n) => n.id);
}

/**
 * Builds the nodes `toBuild` of `prepared` (the edited graph as it will
 * run) and resolves its other local nodes with something to build;
 * returns it ready for the runtime.
 *
 * @throws {Error} naming the node and the step that failed, with the last
 *   output lines.
 */
export async function buildChange(
  prepared: Dataflow,
  toBuild: string[],
  local: string[],
  opts: ChangeBuildOptions,
): Promise<Dataflow> {
  const onLine = opts.onLine ?? (() => {});
  const resolve = prepared.nodes.filter((n) =>
    local.includes(n.id) && !toBuild.includes(n.id) && needsBuild(n)
  ).map((n) => n.id);
  try {
    let ready = prepared;
    if (toBuild.length) {
      ready = await buildDataflow(ready, {
        build: opts.build,
        nodes: toBuild,
        uv: opts.uv,
        onLine,
      });
    }
    if (resolve.length) {
      ready = await buildDataflow(ready, {
        build: false,
        nodes: resolve,
        uv: opts.uv,
        onLine,
      });
    }
    return ready;
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    throw new Error([err.message, ...err.details()].join("\n"));
  }
}
