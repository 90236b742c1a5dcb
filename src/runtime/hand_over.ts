/**
 * The hand-over of a committed `dora node replace` (docs/protocol.md,
 * "Hand-over"): before the old process gets STOP, each direct sender is
 * told (`hand_over`) to end its link to that process with a mark and to keep
 * what it sends from then on for the next process. The old process reports
 * each mark it read (`link_handed`); every message a sender wrote before its
 * mark is then in the old process's queue ahead of the STOP, so it handles
 * them all, and nothing in flight is lost with it. A sender that never
 * answers (it exited, its link was not up) is waited for at most
 * {@link HAND_OVER_TIMEOUT_MS}.
 *
 * @module
 */
import { message, type RuntimeContext } from "./_context.ts";
import { isDirect } from "./delivery/direct_routes.ts";
import type { RunningNode } from "./running_node.ts";

/** How long the old process's STOP waits for the senders' marks. */
export const HAND_OVER_TIMEOUT_MS = 5_000;

/**
 * Asks `node`'s direct senders to hand its links over, then calls `stop`
 * once the old process read every mark (at once when there is none).
 */
export function handOver(
  rt: RuntimeContext,
  node: RunningNode,
  stop: () => void,
): void {
  const pid = node.helloPid;
  const waiting = new Set<string>();
  if (node.conn && node.direct && pid !== undefined) {
    for (const input of node.spec.inputs) {
      if (input.source.kind !== "node") continue;
      const from = rt.nodes.get(input.source.node);
      if (
        !from?.conn || !from.alive || from === node ||
        waiting.has(from.spec.id) ||
        !isDirect(rt, from, node, input)
      ) continue;
      waiting.add(from.spec.id);
      from.conn.send({ t: "hand_over", node: node.spec.id, pid });
      from.conn.kick();
    }
  }
  if (waiting.size === 0) {
    stop();
    return;
  }
  const timer = setTimeout(() => {
    const late = [...waiting].map((n) => `"${n}"`).join(", ");
    message(
      rt,
      "warn",
      `node "${node.spec.id}": no hand-over mark from ${late} within ${
        HAND_OVER_TIMEOUT_MS / 1000
      } s; its old process is stopped anyway (a message in flight may be lost)`,
    );
    finishHandOver(node);
  }, HAND_OVER_TIMEOUT_MS);
  rt.ladderTimers.push(timer);
  node.handOver = { waiting, timer, stop };
}

/** `node`'s old process read the hand-over mark of its link from `sender`. */
export function linkHanded(node: RunningNode, sender: string): void {
  const h = node.handOver;
  if (!h || !h.waiting.delete(sender) || h.waiting.size > 0) return;
  finishHandOver(node);
}

/** A sender went away: its link has nothing more in flight. */
export function senderGone(rt: RuntimeContext, sender: string): void {
  for (const node of rt.nodes.values()) linkHanded(node, sender);
}

/** Ends the wait (STOP goes to the old process now). */
function finishHandOver(node: RunningNode): void {
  const h = node.handOver;
  cancelHandOver(node);
  h?.stop();
}

/** Drops a hand-over without STOP (the old process is gone, or the run ends). */
export function cancelHandOver(node: RunningNode): void {
  const h = node.handOver;
  if (!h) return;
  node.handOver = undefined;
  clearTimeout(h.timer);
}
