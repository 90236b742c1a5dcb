/**
 * Frames a node sends (`next`, `output`, `release`, …) and the end of its
 * connection.
 *
 * @module
 */
import { retireRegions } from "../shm/_node_regions.ts";
import { foreignRegion } from "../shm/region_check.ts";
import type { DataLayout, NodeToDaemon } from "../../message/mod.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { deliver } from "./_delivery.ts";
import { closeOutput, route } from "./_forwarding.ts";
import { type NodeConnection } from "./connection.ts";
import { forwardTail } from "./input_header.ts";
import { updateRoutes } from "./direct_routes.ts";
import { drained, receiverGone } from "../shm/_drain.ts";
import { onStats } from "./_link_stats.ts";
import { relayFrames } from "./_relay.ts";
import { type RunningNode } from "../running_node.ts";
import { stop } from "../ending/stop_ladder.ts";
import { linkHanded } from "../hand_over.ts";

/** Handles one frame of a node (in order, after backpressure). */
export function handleFrame(
  rt: RuntimeContext,
  node: RunningNode,
  h: NodeToDaemon,
  payload: Uint8Array | null,
  text: string,
  bytes: Uint8Array | null = null,
): void {
  switch (h.t) {
    case "next":
      node.pendingNext = Math.max(1, h.max ?? 1000);
      deliver(rt, node);
      return;
    case "output": {
      if (!node.spec.outputs.includes(h.o)) {
        node.queue.pushControl({
          t: "error",
          message:
            `output "${h.o}" is not declared in the outputs of node "${node.spec.id}" (declared: ${
              node.spec.outputs.join(", ") || "none"
            })`,
        });
        deliver(rt, node);
        if (h.shm) sendRelease(rt, node.spec.id, [h.shm.token]);
        return;
      }
      if (!node.openOutputs.has(h.o)) {
        if (h.shm) sendRelease(rt, node.spec.id, [h.shm.token]);
        return;
      }
      if (h.shm) {
        const problem = foreignRegion(rt, node, h.shm.name);
        if (problem !== undefined) {
          refuseRegion(rt, node, `output "${h.o}": ${problem}`);
          sendRelease(rt, node.spec.id, [h.shm.token]);
          return;
        }
      }
      node.sent++;
      if (h.shm) {
        node.viaShm++;
        if (h.d) node.shmBytesSent += layoutBytes(h.d);
      } else if (payload !== null) node.inlineBytesSent += payload.byteLength;
      route(
        rt,
        node.spec.id,
        h.o,
        h.m,
        h.d,
        h.shm,
        payload,
        true,
        true,
        bytes === null ? forwardTail(text, h) : undefined,
        bytes ?? undefined,
      );
      return;
    }
    case "close_outputs":
      for (const o of h.o) closeOutput(rt, node, o);
      return;
    case "release": {
      const known = h.tokens.filter((t) => node.heldTokens.take(t));
      rt.shm.release(node.spec.id, known);
      return;
    }
    case "shm_new": {
      // Unlinked when the node exits: only its own regions, by exact name.
      const problem = foreignRegion(rt, node, h.name);
      if (problem !== undefined) refuseRegion(rt, node, `shm_new: ${problem}`);
      else node.shmRegions.add(h.name);
      return;
    }
    case "stop_dataflow":
      message(
        rt,
        "info",
        `node "${node.spec.id}" asked to stop the dataflow (an operator returned STOP_ALL)`,
      );
      if (rt.opts.onStopRequest) rt.opts.onStopRequest(node.spec.id);
      else stop(rt, { reason: "stop_all" });
      return;
    case "stats":
      onStats(rt, node, h);
      return;
    case "relay":
      relayFrames(rt, node, h.to, payload);
      return;
    case "drained":
      drained(rt, node, h.node, h.gen);
      return;
    case "link_handed":
      linkHanded(node, h.node);
      return;
    case "link_failed": {
      // Relay what this sender sends us from now on.
      message(
        rt,
        "warn",
        `node "${node.spec.id}" cannot link to "${h.node}" (${h.error}); its messages go through the runtime`,
      );
      rt.relayPairs.add(`${h.node}\0${node.spec.id}`);
      updateRoutes(rt);
      return;
    }
    case "hello":
      node.queue.pushControl({ t: "error", message: "duplicate hello" });
      deliver(rt, node);
      return;
  }
}

/** The `ConnectionHandler` side (see connection.ts). */
export function onClose(
  rt: RuntimeContext,
  conn: NodeConnection,
  error?: Error,
): void {
  const node = conn.nodeId ? rt.nodes.get(conn.nodeId) : undefined;
  if (error) {
    message(
      rt,
      "error",
      `${
        node ? `node "${node.spec.id}"` : "a node"
      } was disconnected: ${error.message}`,
    );
  }
  if (!node || node.conn !== conn) return;
  node.connected = false;
  node.conn = undefined;
  node.pendingNext = undefined;
  // It answers no `drain` any more.
  receiverGone(rt, node);
  // Tokens delivered over this connection will never be released by it.
  rt.shm.release(node.spec.id, node.heldTokens.drain());
  // A node without its connection can't send any more; outputs fed by its
  // stdout/logs stay open until the process exits (the pipes may lag).
  const { sendStdoutAs, sendLogsAs } = node.spec;
  const closeNow = () => {
    for (const o of [...node.openOutputs]) {
      if (o !== sendStdoutAs && o !== sendLogsAs) closeOutput(rt, node, o);
    }
  };
  // Held outputs still go out first.
  const close = () => {
    if (node.held.length > 0) node.afterHeld = closeNow;
    else closeNow();
  };
  // An exited process's last frames are read: its regions can go.
  if (node.exited) retireRegions(rt, node);
  // Restarted by hand: its outputs stay open for the next process.
  if (node.manual === "restart") return;
  // With fault tolerance, a crash's restart decision comes first.
  if (rt.fault) rt.fault.connectionClosed(node, close);
  else close();
}

/**
 * A node named a region that is not its own: the node gets an error event,
 * the log says so, and the message is not delivered.
 */
export function refuseRegion(
  rt: RuntimeContext,
  node: RunningNode,
  problem: string,
): void {
  message(rt, "error", `node "${node.spec.id}" refused: ${problem}`);
  node.queue.pushControl({ t: "error", message: problem });
  deliver(rt, node);
}

/** Gives shared-memory tokens back to their owner (it may reuse the regions). */
export function sendRelease(
  rt: RuntimeContext,
  owner: string,
  tokens: string[],
): void {
  const node = rt.nodes.get(owner);
  if (node?.conn) node.conn.send({ t: "release", tokens });
}

/** The payload bytes a data layout describes (its buffers, children too). */
function layoutBytes(d: DataLayout): number {
  let n = 0;
  for (const b of d.bufs) if (b) n += b[1];
  for (const c of d.ch) n += layoutBytes(c);
  return n;
}
