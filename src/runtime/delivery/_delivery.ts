/**
 * Event delivery to a node: answering its outstanding `next` with a batch of
 * queued events, and the drop warning of full queues.
 *
 * @module
 */
import { wakeSenders } from "./_backpressure.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { type RunningNode } from "../running_node.ts";

const BATCH_END = '{"t":"batch_end"}';

/**
 * Delivers at the end of this tick: the frames of one socket read are
 * routed in one go, so a waiting receiver gets them as one batch (one
 * write, one wake-up) instead of one batch per message.
 */
export function deliverSoon(rt: RuntimeContext, node: RunningNode): void {
  if (node.pendingNext === undefined || rt.toDeliver.has(node)) return;
  rt.toDeliver.add(node);
  if (rt.toDeliver.size > 1) return;
  // Connections flush at the end of their burst (`onIdle`); this covers
  // routing from anywhere else (logs, other machines).
  queueMicrotask(() => deliverPending(rt));
}

/** Answers the receivers collected by `deliverSoon`. */
export function deliverPending(rt: RuntimeContext): void {
  if (rt.toDeliver.size === 0) return;
  const nodes = [...rt.toDeliver];
  rt.toDeliver.clear();
  for (const n of nodes) deliver(rt, n);
}

/** Answers an outstanding `next` with as many queued events as allowed. */
export function deliver(rt: RuntimeContext, node: RunningNode): void {
  if (
    node.exited || !node.conn || node.pendingNext === undefined ||
    !node.queue.hasEvents
  ) {
    return;
  }
  const events = node.queue.take(node.pendingNext);
  node.pendingNext = undefined;
  const conn = node.conn;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.header.t === "input") {
      node.received++;
      if (e.token) {
        node.heldTokens.add(e.token);
        node.viaShmReceived++;
      } else if (e.payload !== null) {
        node.inlineBytesReceived += e.payload.byteLength;
      }
    }
    if (e.raw !== undefined) conn.sendJson(e.raw, e.payload);
    else conn.send(e.header, e.payload);
  }
  conn.sendJson(BATCH_END);
  // The answer goes out now, not after the rest of this tick's work.
  conn.kick();
  if (rt.blocked.size > 0) wakeSenders(rt);
}

/** A queue dropped a message: release its token, warn once per input. */
export function onDrop(
  rt: RuntimeContext,
  node: RunningNode,
  input: string,
  token: string | undefined,
  from: string,
  total: number,
): void {
  if (token) rt.shm.release(node.spec.id, [token]);
  if (!node.dropWarned.has(input)) {
    node.dropWarned.add(input);
    const spec = node.spec.inputs.find((i) => i.id === input);
    message(
      rt,
      "warn",
      `node "${node.spec.id}" is dropping messages on input "${input}" (queue_size ${spec?.queueSize}, drop_oldest): it is slower than "${from}"; counts are in the summary`,
    );
  }
  rt.opts.events?.onDrop?.(node.spec.id, input, total);
}
