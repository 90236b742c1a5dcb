/**
 * `--hot-reload`: watches the Python and TypeScript operator files of the
 * local runtime nodes and asks the runtime node to reload an operator when
 * its file changes (an input event on the reserved input `dora/reload` whose
 * `operator` parameter names it; see docs/operators.md).
 *
 * @module
 */
import { encodeMetadata } from "../message/mod.ts";
import {
  OperatorWatcher,
  RELOAD_INPUT,
  reloadableOperators,
} from "../operators/mod.ts";
import { message, type RuntimeContext } from "./_context.ts";
import { deliver } from "./delivery/_delivery.ts";
import { hlc } from "./delivery/_forwarding.ts";

/** Starts watching (when the runtime was started with `hotReload`). */
export function watchOperators(rt: RuntimeContext): void {
  if (!(rt.opts.hotReload ?? rt.dataflow.hotReload)) return;
  const nodes = [...rt.nodes.values()]
    .filter((n) => n.local && n.spec.kind === "runtime")
    .map((n) => n.spec);
  const targets = reloadableOperators(nodes, rt.dataflow.workingDir);
  if (targets.length === 0) {
    message(
      rt,
      "warn",
      "--hot-reload: no Python or TypeScript operator to watch",
    );
    return;
  }
  try {
    rt.watcher = new OperatorWatcher(targets, (t) => {
      const node = rt.nodes.get(t.node);
      if (!node?.alive || rt.state !== "running") return;
      message(
        rt,
        "info",
        `${t.file} changed: reloading operator "${t.operator}" of node "${t.node}"`,
      );
      node.queue.pushControl({
        t: "input",
        id: RELOAD_INPUT,
        m: encodeMetadata(hlc(rt).now(), { operator: t.operator }),
      });
      deliver(rt, node);
    });
  } catch (err) {
    message(
      rt,
      "warn",
      `--hot-reload: cannot watch the operator files: ${
        err instanceof Error ? err.message : err
      }`,
    );
  }
}
