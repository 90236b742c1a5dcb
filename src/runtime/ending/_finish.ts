/**
 * The end of a run: close everything, unlink shared memory, remove the
 * runtime folder, write and resolve the summary.
 *
 * @module
 */
import { wakeSenders } from "../delivery/_backpressure.ts";
import { type RuntimeContext } from "../_context.ts";
import {
  regionsPrefix,
  removeRuntimeDir,
  shmPrefixMatches,
  unlinkShm,
} from "../spawn/runtime_dir.ts";
import { treeWatchdog } from "../spawn/tree_watchdog.ts";
import { type NodeSummary, type RunSummary } from "./summary.ts";
import { totalsOf } from "../running_node.ts";
import { closeTaps } from "../delivery/route_changes.ts";
import { dropsOf, undeliveredOf } from "../delivery/_delivery.ts";

/** How often the end checks again for exited nodes' sockets to drain. */
const DRAIN_POLL_MS = 10;

/** Ends the run once every spawned node exited and its last frames were read. */
export function maybeFinish(rt: RuntimeContext): void {
  if (rt.state === "finished") return;
  // The dataflow ends when every spawned node exited (dynamic ones get Stop).
  for (const n of rt.nodes.values()) if (n.alive && !n.dynamic) return;
  if (rt.state === "starting") return;
  // An exited node's last frames may still wait in its socket (unread while
  // backpressure held it back, e.g. by a receiver on another machine): a run
  // that ends by itself ends once they are read (EOF), or once `watchDrain`
  // gives up on the socket. A stop does not wait for them.
  for (const n of rt.nodes.values()) {
    if (
      rt.state !== "stopping" && n.exited && n.conn !== undefined &&
      !n.conn.closed
    ) {
      rt.ladderTimers.push(setTimeout(() => maybeFinish(rt), DRAIN_POLL_MS));
      return;
    }
  }
  rt.state = "finished";
  rt.stopReason ??= "finished";
  rt.timers.stop();
  rt.watcher?.close();
  rt.fault?.finish();
  closeTaps(rt);
  rt.trace?.finished(rt.error);
  for (const n of rt.nodes.values()) {
    n.conn?.close();
    // Closed only now: a node's child may still write after it exited.
    n.log?.close();
  }
  for (const t of rt.ladderTimers) clearTimeout(t);
  wakeSenders(rt);
  try {
    rt.listener?.close();
  } catch {
    // already closed
  }
  const regions = new Set<string>();
  for (const n of rt.nodes.values()) {
    for (const r of n.shmRegions) regions.add(r);
    for (const r of n.retiring) regions.add(r);
  }
  unlinkShm(regions);
  rt.inline.close();
  cleanupDirs(rt);
  const summary = buildSummary(rt);
  try {
    Deno.writeTextFileSync(
      `${rt.logDir}/summary.json`,
      JSON.stringify(summary, null, 2) + "\n",
    );
  } catch {
    // no log folder (the start failed before it was made)
  }
  rt.opts.events?.onFinish?.(summary);
  rt.resolveFinished(summary);
}

/** Removes the runtime folder and any region of this dataflow left in /dev/shm. */
export function cleanupDirs(rt: RuntimeContext): void {
  if (rt.runtimeDir) {
    removeRuntimeDir(rt.runtimeDir);
    treeWatchdog().forgetDir(rt.runtimeDir);
    treeWatchdog().forgetRegions(regionsPrefix(rt.id));
  }
  // Regions of this dataflow the nodes did not register (crash mid-create).
  try {
    for (const e of Deno.readDirSync("/dev/shm")) {
      const m = /^dora-([0-9a-fA-F]+)-/.exec(e.name);
      if (m && shmPrefixMatches(rt.id, m[1]!)) unlinkShm([e.name]);
    }
  } catch {
    // no /dev/shm
  }
}

/** Each timer's ticks and missed ticks, named by its source text. */
function timerSummary(rt: RuntimeContext): RunSummary["timers"] {
  const stats = rt.timers.stats();
  if (stats.length === 0) return undefined;
  const source = new Map<bigint, string>();
  for (const n of rt.dataflow.nodes) {
    for (const i of n.inputs) {
      if (i.source.kind === "timer") {
        source.set(i.source.intervalNs, i.sourceText);
      }
    }
  }
  return stats.map((s) => ({
    source: source.get(s.intervalNs) ?? `dora/timer/nanos/${s.intervalNs}`,
    ticks: s.ticks,
    missed: s.missed,
  }));
}

/** A snapshot of the run so far (final once `finished` resolved). */
export function buildSummary(rt: RuntimeContext): RunSummary {
  const nodes: NodeSummary[] = [];
  for (const n of rt.nodes.values()) {
    if (!n.local) continue;
    const t = totalsOf(n);
    nodes.push({
      id: n.spec.id,
      outcome: n.outcome,
      exitCode: n.exitStatus?.code ?? null,
      signal: n.exitStatus?.signal ?? null,
      message: n.message,
      stderrTail: n.stderrTail,
      drops: dropsOf(rt, n),
      undelivered: undeliveredOf(rt, n),
      restarts: n.restarts,
      // The runtime's own counts plus what the node sent and got over links.
      sent: n.sent + t.sent,
      viaShm: n.viaShm + t.shm_sent,
      received: n.received + t.received,
      inlineBytesSent: n.inlineBytesSent + t.inline_sent,
      inlineBytesReceived: n.inlineBytesReceived + t.inline_received,
      shmBytesSent: n.shmBytesSent + t.shm_bytes,
      viaShmReceived: n.viaShmReceived + t.shm_received,
      linkSent: t.sent,
      linkReceived: t.received,
    });
  }
  const failed = nodes.some((n) =>
    n.outcome === "failed" || n.outcome === "not_started"
  );
  return {
    dataflowId: rt.id,
    path: rt.dataflow.path,
    startedAt: rt.startedAt.toISOString(),
    finishedAt: rt.state === "finished" ? new Date().toISOString() : undefined,
    success: !failed && rt.error === undefined,
    error: rt.error,
    stopReason: rt.stopReason,
    nodes,
    fault: rt.fault?.summary(),
    timers: timerSummary(rt),
  };
}
