/**
 * Backpressure: the outputs of a sender whose receivers are full are held
 * (in order) and its socket is no longer read once enough are held; they go
 * on as the receivers make room.
 *
 * @module
 */
import { flushRetiring } from "../shm/_node_regions.ts";
import { type NodeToDaemon } from "../../message/mod.ts";
import { type RuntimeContext } from "../_context.ts";
import { routesOf } from "./_forwarding.ts";
import { handleFrame } from "./_node_frames.ts";
import { type NodeConnection } from "./connection.ts";
import { type RunningNode } from "../running_node.ts";

/** Frames of a blocked sender held before its socket is no longer read. */
export const HOLD_LIMIT = 64;

/** The `ConnectionHandler` side (see connection.ts). */
export function onFrame(
  rt: RuntimeContext,
  conn: NodeConnection,
  h: NodeToDaemon,
  payload: Uint8Array | null,
  text = "",
  bytes: Uint8Array | null = null,
): void | Promise<void> {
  const node = rt.nodes.get(conn.nodeId!)!;
  if (node.conn !== conn) return;
  rt.fault?.activity(node.spec.id);
  node.framesIn++;
  // A blocked sender's outputs wait in order; its `next` and `release`
  // still go through, so it keeps receiving (no deadlock in loops).
  const ordered = h.t !== "next" && h.t !== "release" && h.t !== "shm_new";
  if (
    ordered &&
    (node.held.length > 0 ||
      (h.t === "output" && senderBlocked(rt, node)))
  ) {
    // The header bytes are the reader's: held frames keep a copy.
    node.held.push({ header: h, payload, text, bytes: bytes?.slice() ?? null });
    rt.blocked.add(node);
    if (node.held.length < HOLD_LIMIT) return;
    // Enough held: stop reading its socket until there is room.
    return new Promise<void>((resolve) => node.heldWaiters.push(resolve));
  }
  handleFrame(rt, node, h, payload, text, bytes);
}

/**
 * Whether some open output of `sender` has a local receiver that is full, or
 * a receiver on another machine that granted no more credit.
 */
export function senderBlocked(
  rt: RuntimeContext,
  sender: RunningNode,
): boolean {
  for (const o of sender.openOutputs) {
    const routes = routesOf(rt, sender.spec.id, o);
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      if (r.node.alive && r.node.queue.isFull(r.input)) return true;
    }
    // A backpressure input on another machine without credit left.
    if (routes.remote && rt.credits.blocked(sender.spec.id, o)) return true;
  }
  return false;
}

/** Lets blocked senders go on as far as their receivers have room. */
export function wakeSenders(rt: RuntimeContext): void {
  if (rt.waking) {
    rt.wakeAgain = true;
    return;
  }
  rt.waking = true;
  try {
    do {
      rt.wakeAgain = false;
      for (const n of [...rt.blocked]) drainHeld(rt, n);
    } while (rt.wakeAgain);
  } finally {
    rt.waking = false;
  }
}

/** Handles the held frames of `node` as far as its receivers have room. */
export function drainHeld(rt: RuntimeContext, node: RunningNode): void {
  while (node.held.length > 0) {
    const f = node.held[0]!;
    if (
      f.header.t === "output" && rt.state !== "finished" &&
      senderBlocked(rt, node)
    ) break;
    node.held.shift();
    handleFrame(rt, node, f.header, f.payload, f.text, f.bytes);
  }
  if (node.held.length < HOLD_LIMIT) {
    for (const w of node.heldWaiters.splice(0)) w();
  }
  if (node.held.length === 0) {
    rt.blocked.delete(node);
    const after = node.afterHeld;
    node.afterHeld = undefined;
    after?.();
    if (node.retiring.length > 0) flushRetiring(rt, node);
  }
}
