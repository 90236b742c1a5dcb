/**
 * The state of one fault supervisor, shared by the files that implement its
 * parts (exits and restarts, start-up, sweep, stragglers), and the few
 * operations they all need.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import type { Clock, TimerId } from "./clock.ts";
import { emptyStats, type NodeFaultStats } from "./counters.ts";
import type { Downstream } from "./graph.ts";
import { HealthMonitor } from "./health_monitor.ts";
import type { FaultHost } from "./host.ts";
import { InputBreaker } from "./input_breaker.ts";
import { RestartTracker } from "./restart_policy.ts";
import {
  type DataflowTimeouts,
  nodeStartupTimeout,
  restartSettings,
  type StartupTimeoutSource,
} from "./settings.ts";
import { checkStragglers } from "./_stragglers.ts";

/** What the supervisor knows about one local node. */
export interface NodeState {
  spec: NodeSpec;
  restart: RestartTracker;
  stats: NodeFaultStats;
  /** Time it has to connect (after a spawn or a restart), and from where. */
  startup: { ms: number; source: StartupTimeoutSource };
  connected: boolean;
  /** Process alive (spawned, not yet exited). */
  alive: boolean;
  /** Exited for good. */
  finished: boolean;
  allInputsClosed: boolean;
  /** Why the supervisor killed it, if it did. */
  killReason?: string;
  /** Set with {@link killReason} when the health check did the killing. */
  killedByHealthCheck?: boolean;
  /** `dora node stop` asked it to end: its exit is a stop, never restarted. */
  stopRequested?: boolean;
  restartTimer?: TimerId;
  connectTimer?: TimerId;
  stragglerTimer?: TimerId;
}

/** Dynamic nodes are started by hand: never waited for at start-up. */
export const isDynamic = (n: NodeSpec): boolean => n.path === "dynamic";

/** The initial state of `spec`. */
export function newNodeState(
  spec: NodeSpec,
  dataflow: Dataflow,
  timeouts: DataflowTimeouts,
): NodeState {
  return {
    spec,
    restart: new RestartTracker(restartSettings(spec)),
    stats: emptyStats(),
    startup: nodeStartupTimeout(
      spec,
      dataflow.startupTimeout,
      timeouts.startupTimeoutMs,
    ),
    connected: false,
    alive: !isDynamic(spec),
    finished: false,
    allInputsClosed: false,
  };
}

/** Everything one supervisor holds; internal to src/fault. */
export class SupervisorState {
  readonly nodes = new Map<string, NodeState>();
  readonly health = new HealthMonitor();
  readonly breaker = new InputBreaker();
  sweepTimer?: TimerId;
  /** One start-up timer per distinct node start-up timeout. */
  startupTimers: TimerId[] = [];
  starting = false;
  stopping = false;
  disposed = false;

  constructor(
    readonly host: FaultHost,
    readonly clock: Clock,
    readonly timeouts: DataflowTimeouts,
    readonly downstream: Map<string, Downstream>,
  ) {}

  /** The node exited for good with `status`. */
  finish(
    s: NodeState,
    status: "finished" | "stopped" | "failed",
    error?: string,
  ): void {
    s.finished = true;
    s.alive = false;
    // A node that already failed (start-up timeout) stays failed when stopped.
    if (s.stats.status !== "failed") s.stats.status = status;
    if (error !== undefined) s.stats.lastError = error;
    this.clearTimer(s.stragglerTimer);
    s.stragglerTimer = undefined;
    checkStragglers(this);
  }

  /** The node failed for good: its receivers get NODE_FAILED. */
  fail(s: NodeState, error: string): void {
    this.finish(s, "failed", error);
    const node = s.spec.id;
    for (const [receiver, inputs] of this.downstream.get(node) ?? []) {
      this.host.send(receiver, {
        t: "node_failed",
        id: node,
        inputs,
        error,
      });
    }
  }

  /** A pending restart will not happen: the node is stopped. */
  cancelRestart(s: NodeState): void {
    if (s.restartTimer === undefined) return;
    this.clock.clearTimeout(s.restartTimer);
    s.restartTimer = undefined;
    this.restartCancelledNow(s);
  }

  /** Tells the host that the node's restart was cancelled. */
  restartCancelledNow(s: NodeState): void {
    this.finish(s, "stopped");
    this.host.restartCancelled(s.spec.id);
  }

  /** `degraded` while one of the node's inputs is broken. */
  updateDegraded(s: NodeState): void {
    s.stats.brokenInputs = this.breaker.broken(s.spec.id);
    if (s.finished) return;
    if (s.stats.brokenInputs.length > 0) s.stats.status = "degraded";
    else if (s.stats.status === "degraded") s.stats.status = "running";
  }

  /** Clears a timeout if set. */
  clearTimer(id: TimerId | undefined): void {
    if (id !== undefined) this.clock.clearTimeout(id);
  }

  /** Clears every start-up timer. */
  clearStartupTimers(): void {
    for (const id of this.startupTimers) this.clock.clearTimeout(id);
    this.startupTimers = [];
  }

  /** Clears the sweep interval. */
  clearInterval(): void {
    if (this.sweepTimer !== undefined) {
      this.clock.clearInterval(this.sweepTimer);
    }
    this.sweepTimer = undefined;
  }
}
