/**
 * What ends with a node's process: its outputs (INPUT_CLOSED downstream,
 * then STOP(ALL_INPUTS_CLOSED) where that closed every input), its queue,
 * the shared-memory tokens it held and its regions, `dora/logs` inputs once
 * only log subscribers are left; then the barrier and the end of the run.
 *
 * @module
 */
import { message, type RuntimeContext } from "../_context.ts";
import { checkBarrier } from "../_ready_barrier.ts";
import { closeOutput } from "../delivery/_forwarding.ts";
import { deliver } from "../delivery/_delivery.ts";
import { senderBlocked, wakeSenders } from "../delivery/_backpressure.ts";
import { maybeFinish } from "./_finish.ts";
import { retireRegions } from "../shm/_node_regions.ts";
import type { NodeConnection } from "../delivery/connection.ts";
import type { RunningNode } from "../running_node.ts";
import { updateRoutes } from "../delivery/direct_routes.ts";

/** What ends with the node: outputs, queue, held tokens; then the barrier and finish checks. */
export function afterExit(rt: RuntimeContext, node: RunningNode): void {
  // Outputs fed by the process's stdout/logs end with it.
  for (const o of [node.spec.sendStdoutAs, node.spec.sendLogsAs]) {
    if (o) closeOutput(rt, node, o);
  }
  const conn = node.conn;
  if (conn && !conn.closed) {
    // Frames written just before the exit may still be unread (or held
    // back by backpressure): the outputs close at EOF, losing nothing.
    node.pendingNext = undefined;
    watchDrain(rt, node, conn);
  } else {
    const closeAll = () => {
      for (const o of [...node.openOutputs]) closeOutput(rt, node, o);
    };
    // Outputs held back by backpressure still go out first.
    if (node.held.length > 0) node.afterHeld = closeAll;
    else closeAll();
    retireRegions(rt, node);
  }
  const left = node.queue.clear();
  node.undelivered += left.filter((m) => m.from !== "dora").length;
  rt.shm.dropReceiver(node.spec.id);
  wakeSenders(rt);
  rt.opts.events?.onNodeExit?.({
    node: node.spec.id,
    outcome: node.outcome,
    status: node.exitStatus,
    message: node.message,
    stderrTail: node.stderrTail,
  });
  if (node.outcome === "failed") message(rt, "error", node.message!);
  rt.fault?.exited(node);
  // Its senders stop keeping messages for it, its receivers' links end.
  updateRoutes(rt);
  rt.trace?.exited(node);
  closeLogInputsIfDone(rt);
  checkBarrier(rt);
  maybeFinish(rt);
}

/** `dora/logs` inputs close once every node that only produces logs is gone. */
export function closeLogInputsIfDone(rt: RuntimeContext): void {
  if (rt.routing.logs.length === 0) return;
  const subscribers = new Set(rt.routing.logs.map((s) => s.node));
  for (const n of rt.nodes.values()) {
    if (n.alive && !subscribers.has(n.spec.id)) return;
  }
  for (const sub of rt.routing.logs) {
    const rn = rt.nodes.get(sub.node)!;
    if (!rn.alive) continue;
    rn.queue.closeInput(sub.input);
    deliver(rt, rn);
  }
}

/** Seconds an exited node's socket may stay held back without progress. */
const BLOCKED_GIVE_UP_S = 10;

/**
 * The connection of an exited node ends at EOF; one whose socket leaked
 * to another process never does, so it is closed once it goes idle.
 */
export function watchDrain(
  rt: RuntimeContext,
  node: RunningNode,
  conn: NodeConnection,
): void {
  let seen = -1;
  let stalled = 0;
  const check = () => {
    if (conn.closed) return;
    // Idle, or held back without any progress for BLOCKED_GIVE_UP_S.
    stalled = node.framesIn === seen ? stalled + 1 : 0;
    if (
      stalled > 0 && (!senderBlocked(rt, node) || stalled >= BLOCKED_GIVE_UP_S)
    ) conn.close();
    else {
      seen = node.framesIn;
      rt.ladderTimers.push(setTimeout(check, 1000));
    }
  };
  check();
}
