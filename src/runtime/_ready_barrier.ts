/**
 * The ready barrier: `ready` goes to the nodes once every spawned local node
 * connected (or a coordinator says every machine is ready); timers start then.
 *
 * @module
 */
import { type RuntimeContext } from "./_context.ts";
import { deliver } from "./delivery/_delivery.ts";
import { type RunningNode } from "./running_node.ts";
import { sendRoutes } from "./delivery/direct_routes.ts";

/** Sends `ready` to a connected node (once per incarnation). */
export function sendReady(rt: RuntimeContext, node: RunningNode): void {
  if (node.readySent || !node.conn) return;
  node.readySent = true;
  // Where its outputs go and which inputs come over links, before it may send.
  sendRoutes(rt, node);
  node.conn.send({ t: "ready" });
  // A node without inputs gets no STOP(ALL_INPUTS_CLOSED) (as in dora): it
  // runs until it exits or the dataflow stops.
  deliver(rt, node);
}

/** Releases the barrier (or reports local readiness) once every spawned node connected or exited. */
export function checkBarrier(rt: RuntimeContext): void {
  if (rt.barrierReleased) return;
  for (const n of rt.nodes.values()) {
    // Dynamic nodes join whenever they are started: they never gate it.
    if (n.local && !n.dynamic && !n.helloSeen && !n.exited) return;
  }
  if (rt.opts.externalBarrier) {
    rt.opts.events?.onLocalReady?.();
    return;
  }
  releaseBarrier(rt);
}

/** Releases the ready barrier: `ready` to every connected node, timers start. */
export function releaseBarrier(rt: RuntimeContext): void {
  if (rt.barrierReleased) return;
  rt.barrierReleased = true;
  rt.trace?.ready();
  for (const n of rt.nodes.values()) if (n.conn) sendReady(rt, n);
  if (rt.state === "running") rt.timers.start();
  rt.opts.events?.onReady?.();
}
