/**
 * The stop ladder (STOP, SIGTERM after the grace period, then SIGKILL after
 * half of it, at least 0.5 s), for the whole dataflow and for one node, and a
 * failed start.
 *
 * @module
 */
import { releaseBarrier } from "../_ready_barrier.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { deliver } from "../delivery/_delivery.ts";
import type { RunningNode } from "../running_node.ts";
import type { SpanContext } from "../../inspect/trace.ts";

/** The stop ladder's grace period unless the runtime or command sets one. */
export const DEFAULT_GRACE_MS = 10_000;

/**
 * Starts the stop ladder: STOP to every node, then after the grace period
 * SIGTERM, then SIGKILL (after half the grace period, at least 0.5 s).
 * `force` kills every node at once (the second Ctrl-C); other calls while
 * the ladder runs change nothing.
 */
export function stop(
  rt: RuntimeContext,
  options: {
    graceMs?: number;
    force?: boolean;
    reason?: string;
    trace?: SpanContext;
  } = {},
): void {
  if (rt.state === "finished" || rt.state === "created") return;
  rt.stopReason ??= options.reason ?? "manual";
  const grace = options.graceMs ?? rt.opts.graceMs ?? DEFAULT_GRACE_MS;
  rt.trace?.stopping(
    options.force ? "forced" : rt.stopReason,
    options.force ? 0 : grace,
    rt.nodes.values(),
    options.trace,
  );
  if (options.force) {
    message(rt, "warn", "force-killing every node");
    rt.forced = true;
    signalAll(rt, "SIGKILL");
    return;
  }
  if (rt.stopCount++ > 0) return;
  rt.state = "stopping";
  rt.fault?.stopBegun();
  rt.timers.stop();
  if (!rt.barrierReleased) releaseBarrier(rt);
  for (const node of rt.nodes.values()) {
    if (!node.alive || rt.opts.drainOnStop?.includes(node.spec.id)) continue;
    node.queue.pushStop();
    deliver(rt, node);
  }
  rt.ladderTimers.push(
    setTimeout(() => terminate(rt, () => rt.nodes.values(), grace), grace),
  );
}

/**
 * The ladder's last steps for one node whose STOP and grace are spent (the
 * straggler watchdog): SIGTERM now, SIGKILL after half of `graceMs`.
 */
export function terminateNode(
  rt: RuntimeContext,
  node: RunningNode,
  graceMs: number,
): void {
  terminate(rt, () => [node], graceMs);
}

/**
 * The stop ladder of one node (`dora node stop` / `restart`): STOP now,
 * SIGTERM after `graceMs`, SIGKILL after half of it more (at least 0.5 s).
 * The signals go only to the process that was asked to stop (never to the
 * one a restart brings up). What happens at its exit is `node.manual`'s
 * (see _exit.ts): a restart, or the end of the node.
 */
export function stopOneNode(
  rt: RuntimeContext,
  node: RunningNode,
  graceMs: number,
  manual: "restart" | "stop",
): void {
  const proc = node.process;
  if (!proc) {
    // A dynamic node is asked and leaves by itself (it may join again).
    node.queue.pushControl({ t: "stop", cause: "MANUAL" });
    deliver(rt, node);
    return;
  }
  node.manual = manual;
  // A restart keeps the queue's own end-of-stream state for the next process.
  if (manual === "stop") node.queue.pushStop();
  else node.queue.pushControl({ t: "stop", cause: "MANUAL" });
  deliver(rt, node);
  const kill = (sig: Deno.Signal) => {
    if (node.process === proc && !proc.hasExited) proc.kill(sig);
  };
  rt.ladderTimers.push(setTimeout(() => {
    kill("SIGTERM");
    rt.ladderTimers.push(
      setTimeout(() => kill("SIGKILL"), Math.max(500, graceMs / 2)),
    );
  }, graceMs));
}

/** SIGTERM to `targets` now, SIGKILL to those still alive later. */
function terminate(
  rt: RuntimeContext,
  targets: () => Iterable<RunningNode>,
  graceMs: number,
): void {
  signal(targets(), "SIGTERM");
  rt.ladderTimers.push(
    setTimeout(() => signal(targets(), "SIGKILL"), Math.max(500, graceMs / 2)),
  );
}

/** A node could not start: the whole start fails and the rest is stopped. */
export function failStart(rt: RuntimeContext, why: string): void {
  rt.error ??= `dataflow start failed: ${why}`;
  rt.stopReason ??= "start-failed";
  for (const n of rt.nodes.values()) {
    if (n.alive && n.conn && !rt.barrierReleased) {
      n.conn.send({ t: "error", message: rt.error });
      n.conn.close();
    }
  }
  stop(rt, { reason: "start-failed" });
}

/** Sends `signal` to every live node process (the ladder's later steps). */
export function signalAll(rt: RuntimeContext, sig: Deno.Signal): void {
  signal(rt.nodes.values(), sig);
}

function signal(nodes: Iterable<RunningNode>, sig: Deno.Signal): void {
  for (const n of nodes) {
    if (!n.alive || !n.process) continue;
    n.signaledByLadder = true;
    n.process.kill(sig);
  }
}
