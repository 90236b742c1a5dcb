/**
 * Event delivery to a node: answering its outstanding `next` with a batch of
 * queued events, and the drop warning of full queues.
 *
 * @module
 */
import { wakeSenders } from "./_backpressure.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { type RunningNode, totalsOf } from "../running_node.ts";
import { isStop, type OutgoingEvent } from "./receiver_queue.ts";
import type { NodeConnection } from "./connection.ts";

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

/**
 * Sends a node what waits for it: control events at once (they never wait
 * for a `next`, so a node busy with its links still gets STOP), input
 * messages in answer to an outstanding `next`, and STOP(ALL_INPUTS_CLOSED)
 * once every input is closed and drained. Nodes of the JSON protocol (C,
 * C++, Rust) read events only as the answer to a `next`: they get all of
 * them in one batch.
 */
export function deliver(rt: RuntimeContext, node: RunningNode): void {
  const conn = node.conn;
  if (node.exited || !conn) return;
  const queue = node.queue;
  let sent = false;
  if (!conn.binary) {
    if (node.pendingNext === undefined || !queue.hasEvents) return;
    sendBatch(node, conn, queue.take(node.pendingNext));
    node.pendingNext = undefined;
    sent = true;
  } else {
    let stopSent = false;
    if (queue.hasControls) {
      const controls = queue.takeControls();
      for (let i = 0; i < controls.length; i++) {
        conn.send(controls[i].header);
        if (isStop(controls[i])) stopSent = true;
      }
      sent = true;
    }
    // STOP goes alone (see `isStop`). A process being replaced gets no
    // input after its STOP: those wait for the process taking its place.
    const replaced = node.successor?.committed === true && !node.handOver;
    if (
      !stopSent && !replaced && node.pendingNext !== undefined &&
      queue.hasInputs
    ) {
      sendBatch(node, conn, queue.takeInputs(node.pendingNext));
      node.pendingNext = undefined;
      sent = true;
    }
    const stop = queue.takeFinalStop();
    if (stop) {
      conn.send(stop.header);
      sent = true;
    }
  }
  if (!sent) return;
  // The answer goes out now, not after the rest of this tick's work.
  conn.kick();
  if (rt.blocked.size > 0) wakeSenders(rt);
}

/** Writes `events` and the batch end, counting what the node receives. */
function sendBatch(
  node: RunningNode,
  conn: NodeConnection,
  events: OutgoingEvent[],
): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.header.t === "input") node.received++;
    if (e.token) {
      node.heldTokens.add(e.token);
      node.viaShmReceived++;
    } else if (e.payload !== null) {
      node.inlineBytesReceived += e.payload.byteLength;
    }
    if (e.rawBytes !== undefined && conn.binary) {
      conn.sendHeaderBytes(e.rawBytes, e.payload);
    } else if (e.raw !== undefined) conn.sendJson(e.raw, e.payload);
    else conn.send(e.header, e.payload);
  }
  conn.sendJson(BATCH_END);
}

/** A queue dropped a message: release its token, warn once per input. */
export function onDrop(
  rt: RuntimeContext,
  node: RunningNode,
  input: string,
  token: string | undefined,
  from: string,
  _total: number,
): void {
  if (token) rt.shm.release(node.spec.id, [token]);
  dropsChanged(rt, node, input, from);
}

/**
 * `input` of `node` dropped messages (in the runtime's queue, the node's own
 * queue, or its sender's link): warn once per input, report the new total.
 */
export function dropsChanged(
  rt: RuntimeContext,
  node: RunningNode,
  input: string,
  from: string,
): void {
  if (!node.dropWarned.has(input)) {
    node.dropWarned.add(input);
    const spec = node.spec.inputs.find((i) => i.id === input);
    message(
      rt,
      "warn",
      `node "${node.spec.id}" is dropping messages on input "${input}" (queue_size ${spec?.queueSize}, drop_oldest): it is slower than "${from}"; counts are in the summary`,
    );
  }
  rt.opts.events?.onDrop?.(node.spec.id, input, dropsOf(rt, node)[input] ?? 0);
}

/**
 * Messages dropped per input of `node`: by the runtime's queue, by the
 * node's own queue, and by its senders while their links were full.
 */
export function dropsOf(
  rt: RuntimeContext,
  node: RunningNode,
): Record<string, number> {
  const out = node.queue.drops();
  const add = (input: string, n: number) => {
    if (n > 0) out[input] = (out[input] ?? 0) + n;
  };
  for (const [input, n] of Object.entries(totalsOf(node).drops)) add(input, n);
  for (const sender of rt.nodes.values()) {
    const lost = totalsOf(sender).lost[node.spec.id];
    if (lost) { for (const [input, n] of Object.entries(lost)) add(input, n); }
  }
  return out;
}

/**
 * Messages that never reached `node`'s code: queued for it in the runtime or
 * in its own queue when it exited, or waiting at a sender.
 */
export function undeliveredOf(rt: RuntimeContext, node: RunningNode): number {
  let n = node.undelivered + (totalsOf(node).unread ?? 0);
  for (const sender of rt.nodes.values()) {
    n += totalsOf(sender).undelivered[node.spec.id] ?? 0;
  }
  return n;
}
