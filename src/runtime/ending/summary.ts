/**
 * The end-of-run summary: per node its exit status and drop counts, as a
 * structured object (for `dora list --format json`) and as text for people.
 *
 * @module
 */
import { describeExit } from "../../fault/mod.ts";
import type { FaultSummary } from "../../fault/mod.ts";

/** How a node ended. */
export type NodeOutcome =
  /** exited with code 0 */
  | "finished"
  /** exited non-zero or by a signal it was not sent by the stop ladder */
  | "failed"
  /** killed by the stop ladder after the grace period (not a crash) */
  | "stopped"
  /** never started, or exited before connecting */
  | "not_started"
  /** still running (live summaries only) */
  | "running";

/** One node in a {@linkcode RunSummary}. */
export interface NodeSummary {
  id: string;
  outcome: NodeOutcome;
  exitCode: number | null;
  signal: string | null;
  /** Human explanation for anything but `finished`. */
  message?: string;
  /** The node's last stderr lines (for failures). */
  stderrTail: string[];
  /** Messages dropped per input id (queue full, drop_oldest). */
  drops: Record<string, number>;
  /** Messages still queued for the node when it exited. */
  undelivered: number;
  /** Times the node was restarted (fault-tolerance policies). */
  restarts: number;
  /** Messages the node sent (`viaShm`: as shared-memory references). */
  sent: number;
  viaShm: number;
  /** Input events delivered to the node (timers and logs included). */
  received: number;
  /**
   * Payload bytes that crossed the daemon's socket to or from the node inline
   * (copied through the daemon) — the daemon's own copies.
   */
  inlineBytesSent: number;
  inlineBytesReceived: number;
  /** Payload bytes the node sent as shared-memory references (not copied). */
  shmBytesSent: number;
  /** Inputs the node received as shared-memory references. */
  viaShmReceived: number;
  /**
   * Messages the node sent only over links to its receivers, and inputs it
   * received over links (direct delivery: the runtime was not on the way).
   */
  linkSent?: number;
  linkReceived?: number;
}

/** The result of one dataflow run. */
export interface RunSummary {
  dataflowId: string;
  /** Absolute path of the descriptor. */
  path: string;
  /** ISO timestamps. */
  startedAt: string;
  finishedAt?: string;
  /** Whether no node failed and the start succeeded. */
  success: boolean;
  /** Why the run failed as a whole (e.g. a node exited before connecting). */
  error?: string;
  /** Why the run stopped: `finished`, `manual`, `stop-after`, `start-failed`, `signal`. */
  stopReason?: string;
  nodes: NodeSummary[];
  /** Fault-tolerance counters per node (restarts, health-check kills, …). */
  fault?: FaultSummary;
  /**
   * Each timer: its source (`dora/timer/millis/1`), the ticks it delivered,
   * and the ticks it missed (a stall longer than 10 periods).
   */
  timers?: { source: string; ticks: number; missed: number }[];
}

/**
 * Formats a summary as lines for a terminal. `traffic` adds, per node, the
 * payload bytes copied through the daemon and those passed by shared-memory
 * reference (when there are any).
 */
export function formatSummary(
  summary: RunSummary,
  options: { traffic?: boolean } = {},
): string[] {
  const lines: string[] = [];
  const width = Math.max(4, ...summary.nodes.map((n) => n.id.length));
  for (const n of summary.nodes) {
    const status = n.outcome === "finished"
      ? "ok"
      : n.outcome === "stopped"
      ? (n.message?.replace(/^node "[^"]*" /, "") ??
        "stopped by the stop ladder")
      : n.outcome === "failed"
      ? `failed: ${
        describeExit({ code: n.exitCode ?? null, signal: n.signal })
      }`
      : n.outcome === "not_started"
      ? "not started"
      : "running";
    const totalDrops = Object.values(n.drops).reduce((a, b) => a + b, 0);
    const drops = totalDrops > 0
      ? `; dropped ${
        Object.entries(n.drops).filter(([, v]) => v > 0).map(([k, v]) =>
          `${k}: ${v}`
        ).join(", ")
      }`
      : "";
    const undelivered = n.undelivered > 0
      ? `; ${n.undelivered} queued message(s) undelivered at exit`
      : "";
    lines.push(`  ${n.id.padEnd(width)}  ${status}${drops}${undelivered}`);
    if (options.traffic) {
      const t = trafficText(n);
      if (t) lines.push(`  ${"".padEnd(width)}  ${t}`);
    }
  }
  for (const t of summary.timers ?? []) {
    if (t.missed > 0) {
      lines.push(
        `  ${t.source}: ${t.missed} tick(s) missed (the timer stalled for more than 10 periods), ${t.ticks} delivered`,
      );
    }
  }
  return lines;
}

/**
 * `inline: 12 B sent, 40 B received; shared memory: 2 sent (8.0 MB), 2
 * received`, or `""` when nothing crossed.
 */
export function trafficText(n: NodeSummary): string {
  const parts: string[] = [];
  const inSent = n.inlineBytesSent ?? 0;
  const inRecv = n.inlineBytesReceived ?? 0;
  if (inSent > 0 || inRecv > 0) {
    parts.push(
      `inline: ${bytesText(inSent)} sent, ${bytesText(inRecv)} received`,
    );
  }
  if ((n.linkSent ?? 0) > 0 || (n.linkReceived ?? 0) > 0) {
    parts.push(
      `links: ${n.linkSent ?? 0} sent, ${n.linkReceived ?? 0} received`,
    );
  }
  if (n.viaShm > 0 || (n.viaShmReceived ?? 0) > 0) {
    parts.push(
      `shared memory: ${n.viaShm} sent (${bytesText(n.shmBytesSent ?? 0)}), ${
        n.viaShmReceived ?? 0
      } received`,
    );
  }
  return parts.join("; ");
}

function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

/** `exit code 3` / `killed by SIGKILL`. */
export function exitText(
  n: { exitCode?: number | null; code?: number | null; signal: string | null },
): string {
  if (n.signal) return `killed by ${n.signal}`;
  return `exit code ${n.exitCode ?? n.code}`;
}
