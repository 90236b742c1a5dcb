/**
 * `dora node restart` / `dora node stop` for one local node: the node's own
 * stop ladder (STOP, SIGTERM after the grace period, SIGKILL), then a respawn
 * counted like a fault restart (NODE_RESTARTED downstream, its outputs stay
 * open) or the end of the node (INPUT_CLOSED downstream).
 *
 * @module
 */
import type { RuntimeContext } from "./_context.ts";
import { RuntimeChangeError } from "./change_error.ts";
import { DEFAULT_GRACE_MS, stopOneNode } from "./ending/stop_ladder.ts";
import { localNode } from "./params.ts";
import type { RunningNode } from "./running_node.ts";

/** Restarts local node `id` (its stop ladder, then a new process). */
export function restartNode(
  rt: RuntimeContext,
  id: string,
  graceMs?: number,
): void {
  const node = runningNode(rt, id, "restart");
  if (node.dynamic) {
    throw new RuntimeChangeError(
      "dynamic_node",
      `node "${id}" is a dynamic node (started by hand): dora cannot start it again; stop it with \`dora node stop\` and start it yourself`,
    );
  }
  stopOneNode(rt, node, grace(rt, graceMs), "restart");
}

/** Stops local node `id` for good; the rest of the dataflow runs on. */
export function stopNode(
  rt: RuntimeContext,
  id: string,
  graceMs?: number,
): void {
  const node = runningNode(rt, id, "stop");
  if (!node.dynamic) rt.fault?.stopRequested(id);
  stopOneNode(rt, node, grace(rt, graceMs), "stop");
}

function grace(rt: RuntimeContext, graceMs: number | undefined): number {
  return graceMs ?? rt.opts.graceMs ?? DEFAULT_GRACE_MS;
}

/** The local node `id`, running and not already being stopped or restarted. */
function runningNode(
  rt: RuntimeContext,
  id: string,
  what: "restart" | "stop",
): RunningNode {
  const node = localNode(rt, id);
  if (rt.state !== "running") {
    throw new RuntimeChangeError(
      "not_running",
      `dataflow ${rt.id} is ${rt.state}: no node can be ${
        what === "stop" ? "stopped" : "restarted"
      } now`,
    );
  }
  if (node.exited) {
    throw new RuntimeChangeError(
      "not_running",
      `node "${id}" is not running (${node.outcome})`,
    );
  }
  if (node.manual) {
    throw new RuntimeChangeError(
      "not_running",
      `node "${id}" is already being ${
        node.manual === "stop" ? "stopped" : "restarted"
      }`,
    );
  }
  if (node.dynamic && !node.connected) {
    throw new RuntimeChangeError(
      "not_running",
      `dynamic node "${id}" is not connected (it was not started by hand)`,
    );
  }
  if (!node.dynamic && (!node.process || node.process.hasExited)) {
    throw new RuntimeChangeError(
      "not_running",
      `node "${id}" is restarting already (its process exited)`,
    );
  }
  return node;
}
