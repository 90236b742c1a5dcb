/**
 * Regions of an ended sender process and its direct receivers: a receiver
 * maps a region when it reads the message that names it, so the regions may
 * be unlinked only once every receiver that had a link to that process has
 * read the link to its end. The runtime asks them (`drain`) and waits for
 * their `drained` (or for them to go away) before it retires the regions.
 *
 * @module
 */
import type { RuntimeContext } from "../_context.ts";
import type { RunningNode } from "../running_node.ts";
import { isDirect } from "../delivery/direct_routes.ts";
import { flushRetiring } from "./_node_regions.ts";

/**
 * Asks every connected receiver with a direct route from `sender` to tell
 * when its links to the sender's ended process (`sender.gen`) are read to
 * their end.
 */
export function requestDrains(rt: RuntimeContext, sender: RunningNode): void {
  if (!sender.direct || sender.gen === 0) return;
  for (const r of rt.nodes.values()) {
    if (!r.conn || !r.direct || !r.alive || r === sender) continue;
    const linked = r.spec.inputs.some((i) =>
      i.source.kind === "node" && i.source.node === sender.spec.id &&
      isDirect(rt, sender, r, i)
    );
    if (!linked) continue;
    sender.drainWaits.add(r.spec.id);
    r.conn.send({ t: "drain", node: sender.spec.id, gen: sender.gen });
    r.conn.kick();
  }
}

/** `receiver` read its links to `node`'s process `gen` to their end. */
export function drained(
  rt: RuntimeContext,
  receiver: RunningNode,
  node: string,
  _gen: number,
): void {
  const sender = rt.nodes.get(node);
  if (!sender || !sender.drainWaits.delete(receiver.spec.id)) return;
  if (sender.drainWaits.size === 0) flushRetiring(rt, sender);
}

/** `receiver` went away: nothing of it is awaited any more. */
export function receiverGone(rt: RuntimeContext, receiver: RunningNode): void {
  for (const sender of rt.nodes.values()) {
    if (!sender.drainWaits.delete(receiver.spec.id)) continue;
    if (sender.drainWaits.size === 0) flushRetiring(rt, sender);
  }
}
