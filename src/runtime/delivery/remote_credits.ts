/**
 * Backpressure across machines (credits). A `backpressure` input fed by a
 * node on another machine must hold its sender back like a local one: the
 * sending runtime may have at most the input's capacity (`queue_size` ×
 * BACKPRESSURE_FACTOR, as a local sender) of messages out that the
 * receiving runtime has not yet handed to the receiver; past that the
 * sender is blocked like one whose local receiver is full (its frames are
 * held, then its socket is no longer read). The receiving runtime grants
 * credit back for every such message that leaves its queue (taken by the
 * receiver, dropped, or discarded because the receiver is gone), in
 * batches of half the capacity: one credit frame per few messages keeps
 * small writes off the links (on a socket without TCP_NODELAY, as zenoh's
 * WebSocket once was, a credit written just before a reply held that reply
 * back for a delayed ACK, ~40 ms). A sender
 * out of credit has at least half a window queued or on its way, so the
 * batch that frees it always fills. So neither daemon queues a backlog, and
 * nothing is dropped.
 *
 * Only with a transport that carries credits (`remoteCredits`); a lost
 * machine's windows are opened for good, and a transport that may have
 * lost messages or credits (a zenoh bridge was gone) starts them over.
 *
 * @module
 */
import type { RuntimeContext } from "../_context.ts";
import type { RunningNode } from "../running_node.ts";
import { BACKPRESSURE_FACTOR, type QueuedMessage } from "./receiver_queue.ts";

/** The sending side's count for one remote backpressure input. */
export interface RemoteWindow {
  receiver: string;
  input: string;
  /** The sending `node\0output`. */
  source: string;
  /** Messages out and not yet credited back. */
  inFlight: number;
  /** Most messages out (Infinity once the receiver's machine is lost). */
  limit: number;
}

/** Per-runtime credit state. */
export class RemoteCredits {
  /** `from\0output` → windows of its remote backpressure receivers. */
  #byOutput = new Map<string, RemoteWindow[]>();
  /** `receiver\0input` → its window. */
  #byInput = new Map<string, RemoteWindow>();
  /** Credits not granted yet: `from\0receiver\0input` → n. */
  #pending = new Map<string, number>();
  /** Keys whose batch is full, granted at the end of this tick. */
  #full = new Set<string>();
  #flushQueued = false;

  constructor(rt: RuntimeContext) {
    this.graphChanged(rt);
  }

  /**
   * Takes the windows from the current graph: a remote backpressure input
   * that appeared (a node added on another machine, `dora node connect`)
   * gets one, one that is gone no longer holds its sender back, and the
   * others keep their count.
   */
  graphChanged(rt: RuntimeContext): void {
    if (!rt.opts.remoteCredits) return;
    const before = this.#byInput;
    this.#byOutput = new Map();
    this.#byInput = new Map();
    for (const spec of rt.dataflow.nodes) {
      const receiver = rt.nodes.get(spec.id);
      if (!receiver || receiver.local) continue;
      for (const input of spec.inputs) {
        const s = input.source;
        if (s.kind !== "node" || input.queuePolicy !== "backpressure") {
          continue;
        }
        if (!rt.nodes.get(s.node)?.local) continue;
        const key = `${s.node}\0${s.output}`;
        const limit = Math.max(1, input.queueSize) * BACKPRESSURE_FACTOR;
        const old = before.get(`${spec.id}\0${input.id}`);
        let w: RemoteWindow;
        if (old?.source === key) {
          w = old; // its count goes on; a lost receiver stays unlimited
          if (w.limit !== Infinity) w.limit = limit;
        } else {
          w = {
            receiver: spec.id,
            input: input.id,
            source: key,
            inFlight: 0,
            limit,
          };
        }
        const list = this.#byOutput.get(key) ?? [];
        list.push(w);
        this.#byOutput.set(key, list);
        this.#byInput.set(`${spec.id}\0${input.id}`, w);
      }
    }
  }

  /** Whether some remote receiver of `from/output` has no credit left. */
  blocked(from: string, output: string): boolean {
    const list = this.#byOutput.get(`${from}\0${output}`);
    if (!list) return false;
    for (const w of list) if (w.inFlight >= w.limit) return true;
    return false;
  }

  /** A message of `from/output` went to the other machines. */
  sent(from: string, output: string): void {
    const list = this.#byOutput.get(`${from}\0${output}`);
    if (list) { for (const w of list) w.inFlight++; }
  }

  /**
   * The receiving side granted `n` credits for `receiver`'s `input`; true
   * when that may unblock a sender.
   */
  granted(receiver: string, input: string, n: number): boolean {
    const w = this.#byInput.get(`${receiver}\0${input}`);
    if (!w) return false;
    w.inFlight = Math.max(0, w.inFlight - n);
    return true;
  }

  /**
   * Messages or credits may have been lost on the way: every window starts
   * over from nothing in flight. The receivers' queues may then briefly
   * hold up to twice their capacity (credits of messages still queued come
   * back for the new window). True when some window had messages out.
   */
  reset(): boolean {
    let any = false;
    for (const w of this.#byInput.values()) {
      if (w.inFlight > 0) any = true;
      w.inFlight = 0;
    }
    return any;
  }

  /** Remote node `receiver` is gone for good: nothing waits for it. */
  receiverLost(receiver: string): void {
    for (const w of this.#byInput.values()) {
      if (w.receiver === receiver) w.limit = Infinity;
    }
  }

  /**
   * Receiving side: `message` (from a node on another machine, to a
   * backpressure input of `receiver`) left the queue; its credit goes back
   * with its batch, at the end of the tick that fills it.
   */
  leave(
    rt: RuntimeContext,
    receiver: RunningNode,
    input: string,
    message: QueuedMessage,
  ): void {
    const key = `${message.from}\0${receiver.spec.id}\0${input}`;
    const n = (this.#pending.get(key) ?? 0) + 1;
    this.#pending.set(key, n);
    if (n < batchOf(receiver, input)) return;
    this.#full.add(key);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush(rt));
  }

  #flush(rt: RuntimeContext): void {
    this.#flushQueued = false;
    const full = this.#full;
    this.#full = new Set();
    for (const key of full) {
      const n = this.#pending.get(key) ?? 0;
      this.#pending.delete(key);
      if (n === 0) continue;
      const [from, receiver, input] = key.split("\0") as [
        string,
        string,
        string,
      ];
      rt.opts.onRemoteCredit?.(from, receiver, input, n);
    }
  }
}

/**
 * Whether a message from `from` for `input` of local `receiver` comes back
 * as credit (the sender is on another machine and the input holds it back).
 */
export function creditsFor(
  rt: RuntimeContext,
  from: string,
  receiver: RunningNode,
  input: string,
): boolean {
  if (!rt.opts.remoteCredits) return false;
  const sender = rt.nodes.get(from);
  return sender !== undefined && !sender.local &&
    receiver.queue.policyOf(input) === "backpressure";
}

/**
 * Credits granted at once for `input` of `receiver`: half the sender's
 * window (`queue_size` × BACKPRESSURE_FACTOR), at least 1.
 */
function batchOf(receiver: RunningNode, input: string): number {
  const queueSize = receiver.spec.inputs.find((i) => i.id === input)
    ?.queueSize ?? 1;
  return Math.max(
    1,
    Math.floor(Math.max(1, queueSize) * BACKPRESSURE_FACTOR / 2),
  );
}
