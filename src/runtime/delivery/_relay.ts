/**
 * `relay`: link frames a sender could not write because their receiver was
 * not connected when the sender closed (still starting, or restarting). The
 * runtime queues them for the receiver in order, like its own relayed
 * messages, so nothing sent before a clean exit is lost.
 *
 * @module
 */
import {
  asSenderToReceiver,
  decodeFrame,
  type InputHeader,
} from "../../message/mod.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { deliver, deliverSoon } from "./_delivery.ts";
import { refuseRegion, sendRelease } from "./_node_frames.ts";
import { foreignRegion } from "../shm/region_check.ts";
import type { RunningNode } from "../running_node.ts";

/** Queues the frames of `payload` (complete link frames) for receiver `to`. */
export function relayFrames(
  rt: RuntimeContext,
  sender: RunningNode,
  to: string,
  payload: Uint8Array | null,
): void {
  const receiver = rt.nodes.get(to);
  const bytes = payload ?? new Uint8Array(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const end = pos + 4 + view.getUint32(pos, true);
    if (end > bytes.length) break;
    let frame;
    try {
      frame = decodeFrame(bytes.subarray(pos, end));
    } catch (e) {
      message(
        rt,
        "error",
        `node "${sender.spec.id}" relayed a malformed frame for "${to}": ${e}`,
      );
      return;
    }
    pos = end;
    const h = asSenderToReceiver(frame.header);
    if (h.t === "input") queueInput(rt, sender, receiver, h, frame.payload);
    else if (h.t === "input_closed" && receiver?.alive) {
      receiver.queue.closeInput(h.id);
      deliver(rt, receiver);
    }
  }
}

function queueInput(
  rt: RuntimeContext,
  sender: RunningNode,
  receiver: RunningNode | undefined,
  h: InputHeader,
  payload: Uint8Array | null,
): void {
  const token = h.shm?.token;
  if (!receiver?.alive) {
    if (token) sendRelease(rt, sender.spec.id, [token]);
    return;
  }
  // A sender relays only to inputs it feeds: never as another node.
  if (!feeds(rt, sender, receiver, h.id)) {
    message(
      rt,
      "error",
      `node "${sender.spec.id}" relayed a message for input "${h.id}" of "${receiver.spec.id}", which it does not feed; dropped`,
    );
    if (token) sendRelease(rt, sender.spec.id, [token]);
    return;
  }
  if (h.shm) {
    const problem = foreignRegion(rt, sender, h.shm.name);
    if (problem !== undefined) {
      refuseRegion(rt, sender, `relay to "${receiver.spec.id}": ${problem}`);
      return;
    }
    rt.shm.hold(h.shm.token, sender.spec.id, receiver.spec.id, h.shm.name);
  }
  receiver.queue.pushInput(h.id, {
    header: h as unknown as Record<string, unknown>,
    payload,
    from: sender.spec.id,
    token,
  });
  deliverSoon(rt, receiver);
}

/** Whether `input` of `receiver` reads an output of `sender`. */
function feeds(
  rt: RuntimeContext,
  sender: RunningNode,
  receiver: RunningNode,
  input: string,
): boolean {
  for (const o of sender.spec.outputs) {
    for (const r of rt.routing.receivers(sender.spec.id, o)) {
      if (r.node === receiver.spec.id && r.input === input) return true;
    }
  }
  return false;
}
