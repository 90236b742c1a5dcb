/**
 * The fault supervisor of one dataflow: restart policies, health checks, the
 * input-timeout circuit breaker, NODE_RESTARTED / NODE_FAILED propagation,
 * the start-up timeout and the finish-straggler watchdog, with per-node
 * counters. The runtime reports what happens through the hook methods; the
 * supervisor acts through the {@linkcode FaultHost} it was given.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import { type Clock, realClock, type TimerId } from "./clock.ts";
import {
  emptyStats,
  type FaultSummary,
  type NodeFaultStats,
  summarize,
} from "./counters.ts";
import { type Downstream, downstreamOf } from "./graph.ts";
import { HealthMonitor } from "./health_monitor.ts";
import { InputBreaker } from "./input_breaker.ts";
import {
  describeExit,
  exitedCleanly,
  type ExitStatus,
  RestartTracker,
} from "./restart_policy.ts";
import {
  type DataflowTimeouts,
  dataflowTimeouts,
  formatMs,
  nodeStartupTimeout,
  restartSettings,
  secondsToMs,
  startupTimeoutHint,
  type StartupTimeoutSource,
} from "./settings.ts";

/** A control event for a node, in the wire header's shape (docs/protocol.md). */
export type FaultEvent =
  | { t: "node_restarted"; id: string }
  | { t: "node_failed"; id: string; inputs: string[]; error: string }
  | { t: "input_recovered"; id: string };

/** Log levels the supervisor uses. */
export type FaultLogLevel = "info" | "warn" | "error";

/** What the runtime lets the supervisor do. */
export interface FaultHost {
  /** Sends a control event to a node; ignored when the node is gone. */
  send(node: string, event: FaultEvent): void;
  /** Kills the node's process now; its exit then comes back through `nodeExited`. */
  kill(node: string, reason: string): void;
  /** Spawns the node again; `restartCount` goes into DORA_NODE_CONFIG. */
  respawn(node: string, restartCount: number): void;
  /** Stops one node with the stop ladder (Stop → grace → SIGTERM → SIGKILL). */
  stopNode(node: string, reason: string): void;
  /** Closes an input as if its upstream had closed it: INPUT_CLOSED, then the all-inputs-closed check. */
  closeInput(node: string, input: string): void;
  /** Re-opens an input closed by `closeInput` (INPUT_RECOVERED is sent by the supervisor). */
  reopenInput(node: string, input: string): void;
  /** A pending restart was cancelled (a stop began): the node is finished now. */
  restartCancelled(node: string): void;
  /** The dataflow cannot start: stop everything and report `message`. */
  failStart(message: string): void;
  /** Writes to the dataflow's log (and the terminal under `dora run`). */
  log(level: FaultLogLevel, node: string | undefined, message: string): void;
  /** True when the receiver's queue for this input has no room (gates recovery). */
  isBackpressured?(node: string, input: string): boolean;
  /** True while the daemon holds a `next` of the node (idle, not hung). */
  isWaiting?(node: string): boolean;
}

/** What the runtime should do with an exited node. */
export type ExitOutcome =
  /** Keep its outputs open: it comes back after `delayMs` (via `host.respawn`). */
  | { kind: "restarting"; delayMs: number; restartCount: number }
  /**
   * It is done: close its outputs. `failed` nodes count as failed in the
   * dataflow result, with `error` as the reason.
   */
  | { kind: "finished"; failed: boolean; error?: string };

/** Options for {@linkcode FaultSupervisor}. */
export interface FaultSupervisorOptions {
  clock?: Clock;
  /** Defaults from the descriptor and the environment. */
  timeouts?: Partial<DataflowTimeouts>;
  /**
   * Nodes spawned by this runtime (default: all). The others run on other
   * machines: not watched here, and not waited for at start-up.
   */
  localNodes?: string[];
}

interface NodeState {
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
  restartTimer?: TimerId;
  connectTimer?: TimerId;
  stragglerTimer?: TimerId;
}

const isDynamic = (n: NodeSpec) => n.path === "dynamic";
const names = (ids: string[]) => ids.map((id) => `\`${id}\``).join(", ");

/**
 * Fault tolerance for one running dataflow.
 *
 * Call order the runtime follows: `start()` after spawning every node;
 * `nodeConnected` on `hello`; `nodeActivity` on every request; `inputMessage`
 * before queueing a message; `allInputsClosed` when ALL_INPUTS_CLOSED is
 * sent; `stopBegun` before Stop is sent to everyone; `nodeExited` on every
 * process exit; `dispose()` when the dataflow ended.
 */
export class FaultSupervisor {
  readonly timeouts: DataflowTimeouts;
  #host: FaultHost;
  #clock: Clock;
  #nodes = new Map<string, NodeState>();
  #downstream: Map<string, Downstream>;
  #health = new HealthMonitor();
  #breaker = new InputBreaker();
  #sweepTimer?: TimerId;
  /** One start-up timer per distinct node start-up timeout. */
  #startupTimers: TimerId[] = [];
  #starting = false;
  #stopping = false;
  #disposed = false;

  constructor(
    dataflow: Dataflow,
    host: FaultHost,
    options: FaultSupervisorOptions = {},
  ) {
    this.#host = host;
    this.#clock = options.clock ?? realClock;
    this.timeouts = {
      ...dataflowTimeouts(dataflow.healthCheckInterval),
      ...options.timeouts,
    };
    this.#downstream = downstreamOf(dataflow);
    const local = options.localNodes && new Set(options.localNodes);
    for (const spec of dataflow.nodes) {
      if (local && !local.has(spec.id)) continue;
      this.#nodes.set(spec.id, {
        spec,
        restart: new RestartTracker(restartSettings(spec)),
        stats: emptyStats(),
        startup: nodeStartupTimeout(
          spec,
          dataflow.startupTimeout,
          this.timeouts.startupTimeoutMs,
        ),
        connected: false,
        alive: !isDynamic(spec),
        finished: false,
        allInputsClosed: false,
      });
      for (const input of spec.inputs) {
        const ms = secondsToMs(input.inputTimeout);
        if (ms !== undefined) this.#breaker.guard(spec.id, input.id, ms);
      }
    }
  }

  /** Every static node was spawned: arm the start-up timeout and the sweep. */
  start(): void {
    this.#starting = true;
    // Nodes may have their own `startup_timeout`: one timer per distinct value.
    const limits = new Set<number>();
    for (const s of this.#nodes.values()) {
      if (!isDynamic(s.spec)) limits.add(s.startup.ms);
    }
    for (const ms of limits) {
      this.#startupTimers.push(
        this.#clock.setTimeout(() => this.#startupExpired(ms), ms, true),
      );
    }
    const needsSweep = this.#breaker.size > 0 ||
      [...this.#nodes.values()].some((n) =>
        n.spec.healthCheckTimeout !== undefined
      );
    if (needsSweep) {
      this.#sweepTimer = this.#clock.setInterval(
        () => this.sweep(),
        this.timeouts.healthCheckIntervalMs,
      );
    }
    this.#checkStarted();
  }

  /** A node said `hello`. */
  nodeConnected(node: string): void {
    const s = this.#nodes.get(node);
    if (!s) return;
    s.connected = true;
    s.alive = true;
    if (s.connectTimer !== undefined) this.#clock.clearTimeout(s.connectTimer);
    s.connectTimer = undefined;
    if (s.stats.status === "starting" || s.stats.status === "restarting") {
      s.stats.status = "running";
    }
    const timeout = secondsToMs(s.spec.healthCheckTimeout);
    if (timeout !== undefined && !this.#stopping) {
      this.#health.watch(node, timeout, this.#clock.now());
    }
    this.#checkStarted();
  }

  /** Any request from the node (a sign of life for the health check). */
  nodeActivity(node: string): void {
    this.#health.activity(node, this.#clock.now());
  }

  /** A `next` of the node is parked (`true`) or was answered (`false`). */
  nodeWaiting(node: string, waiting: boolean): void {
    this.#health.waiting(node, waiting, this.#clock.now());
  }

  /**
   * A message is about to be queued for `node`'s `input`. Returns false when
   * it must be dropped (a broken input whose receiver is backpressured; the
   * drop is counted). Sends INPUT_RECOVERED when a broken input recovers.
   */
  inputMessage(node: string, input: string): boolean {
    // Hot path: most dataflows guard no input at all.
    if (this.#breaker.size === 0 || !this.#breaker.guards(node, input)) {
      return true;
    }
    const s = this.#nodes.get(node);
    if (s?.allInputsClosed) return true;
    const backpressured = this.#host.isBackpressured?.(node, input) ?? false;
    const verdict = this.#breaker.onMessage(
      node,
      input,
      this.#clock.now(),
      backpressured,
    );
    if (verdict === "drop") {
      if (s) s.stats.droppedMessages++;
      return false;
    }
    if (verdict === "recover" && s) {
      s.stats.recoveries++;
      this.#host.reopenInput(node, input);
      this.#host.send(node, { t: "input_recovered", id: input });
      this.#host.log("info", node, `input \`${input}\` recovered`);
      this.#updateDegraded(s);
    }
    return true;
  }

  /** Counts messages the runtime dropped from a node's queues. */
  messagesDropped(node: string, count = 1): void {
    const s = this.#nodes.get(node);
    if (s) s.stats.droppedMessages += count;
  }

  /** An input closed for real (its upstream finished): stop guarding it. */
  inputClosed(node: string, input: string): void {
    this.#breaker.release(node, input);
  }

  /** ALL_INPUTS_CLOSED was sent to `node`: it will not be restarted. */
  allInputsClosed(node: string): void {
    const s = this.#nodes.get(node);
    if (!s) return;
    s.allInputsClosed = true;
    s.restart.disable();
    this.#cancelRestart(s);
    this.#checkStragglers();
  }

  /** A stop of the whole dataflow began: no more restarts, kills or timers. */
  stopBegun(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#starting = false;
    this.#clearStartupTimers();
    this.#clearInterval();
    for (const s of this.#nodes.values()) {
      s.restart.disable();
      this.#health.unwatch(s.spec.id);
      this.#clearTimer(s.connectTimer);
      this.#clearTimer(s.stragglerTimer);
      s.connectTimer = s.stragglerTimer = undefined;
      this.#cancelRestart(s);
    }
  }

  /** True once a stop of the whole dataflow began. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The node's process exited with `status`. */
  nodeExited(node: string, status: ExitStatus): ExitOutcome {
    const s = this.#nodes.get(node);
    if (!s) return { kind: "finished", failed: !exitedCleanly(status) };
    const wasConnected = s.connected;
    s.alive = false;
    s.connected = false;
    this.#health.unwatch(node);
    this.#clearTimer(s.connectTimer);
    s.connectTimer = undefined;
    const how = s.killReason ?? describeExit(status);
    s.killReason = undefined;

    if (this.#starting && !wasConnected && !this.#stopping) {
      const error = `node \`${node}\` exited before connecting to the daemon (${
        describeExit(status)
      })`;
      s.restart.disable();
      this.#finish(s, "failed", error);
      this.#host.failStart(error);
      return { kind: "finished", failed: true, error };
    }

    const decision = s.restart.onExit(status, this.#clock.now());
    if (decision.action === "restart") {
      s.stats.restarts++;
      s.stats.status = "restarting";
      s.stats.lastError = exitedCleanly(status) ? undefined : how;
      this.#host.log(
        "warn",
        node,
        `node \`${node}\` ${how}; restarting in ${
          formatMs(decision.delayMs)
        } (restart ${decision.attempt}${
          s.restart.settings.maxRestarts > 0
            ? ` of ${s.restart.settings.maxRestarts}`
            : ""
        })`,
      );
      for (const receiver of this.#downstream.get(node)?.keys() ?? []) {
        this.#host.send(receiver, { t: "node_restarted", id: node });
      }
      s.restartTimer = this.#clock.setTimeout(() => {
        s.restartTimer = undefined;
        if (s.restart.disabled || this.#disposed) {
          this.#restartCancelledNow(s);
          return;
        }
        this.#respawned(s, decision.restartCount);
      }, decision.delayMs);
      return {
        kind: "restarting",
        delayMs: decision.delayMs,
        restartCount: decision.restartCount,
      };
    }

    if (decision.action === "give-up") {
      const error = `${how}; ${decision.message}`;
      if (exitedCleanly(status)) {
        // `always` ran out of restarts after a clean exit: done, not failed.
        this.#host.log("warn", node, `node \`${node}\` ${error}`);
        s.stats.lastError = undefined;
        this.#finish(s, "finished");
        return { kind: "finished", failed: false };
      }
      this.#host.log("error", node, `node \`${node}\` ${error}`);
      this.#fail(s, error);
      return { kind: "finished", failed: true, error };
    }

    if (exitedCleanly(status)) {
      this.#finish(s, "finished");
      return { kind: "finished", failed: false };
    }
    if (this.#stopping || s.allInputsClosed && status.signal) {
      // Ended by the stop ladder: stopped, not failed.
      this.#finish(s, "stopped");
      return { kind: "finished", failed: false };
    }
    this.#fail(s, how);
    return { kind: "finished", failed: true, error: how };
  }

  /** Runs the health and input-timeout checks (every `health_check_interval`). */
  sweep(): void {
    if (this.#stopping || this.#disposed) return;
    const now = this.#clock.now();
    const isWaiting = this.#host.isWaiting?.bind(this.#host);
    for (const e of this.#health.expired(now, isWaiting)) {
      const s = this.#nodes.get(e.node);
      if (!s || !s.alive) continue;
      s.stats.healthCheckKills++;
      const reason = `killed by the health check (no activity for ${
        formatMs(e.silentMs)
      }, health_check_timeout ${formatMs(e.timeoutMs)})`;
      s.killReason = reason;
      this.#host.log("warn", e.node, `node \`${e.node}\` ${reason}`);
      this.#host.kill(e.node, reason);
    }
    for (const e of this.#breaker.expired(now)) {
      const s = this.#nodes.get(e.node);
      if (!s || s.finished || s.allInputsClosed) continue;
      s.stats.inputTimeouts++;
      this.#host.log(
        "warn",
        e.node,
        `input \`${e.input}\` of \`${e.node}\` timed out (no message for ${
          formatMs(e.silentMs)
        }, input_timeout ${formatMs(e.timeoutMs)}): closing it`,
      );
      this.#updateDegraded(s);
      this.#host.closeInput(e.node, e.input);
    }
  }

  /** The counters of every node. */
  summary(): FaultSummary {
    const stats = new Map<string, NodeFaultStats>();
    for (const [id, s] of this.#nodes) stats.set(id, s.stats);
    return summarize(stats);
  }

  /** The restart count of a node (for DORA_NODE_CONFIG). */
  restartCount(node: string): number {
    return this.#nodes.get(node)?.restart.restartCount ?? 0;
  }

  /** Clears every timer; the supervisor does nothing afterwards. */
  dispose(): void {
    this.#disposed = true;
    this.#clearStartupTimers();
    this.#clearInterval();
    for (const s of this.#nodes.values()) {
      this.#clearTimer(s.connectTimer);
      this.#clearTimer(s.stragglerTimer);
      this.#clearTimer(s.restartTimer);
      s.restartTimer = undefined;
    }
  }

  #respawned(s: NodeState, restartCount: number): void {
    const node = s.spec.id;
    s.alive = true;
    this.#breaker.reset(node);
    s.stats.brokenInputs = [];
    this.#host.respawn(node, restartCount);
    // A restarted node that never connects is killed; the policy applies again.
    s.connectTimer = this.#clock.setTimeout(
      () => {
        s.connectTimer = undefined;
        if (s.connected || !s.alive || this.#stopping) return;
        const reason = `did not connect within ${
          formatMs(s.startup.ms)
        } after restarting`;
        s.killReason = reason;
        this.#host.log("warn", node, `node \`${node}\` ${reason}`);
        this.#host.kill(node, reason);
      },
      s.startup.ms,
      true,
    );
  }

  #cancelRestart(s: NodeState): void {
    if (s.restartTimer === undefined) return;
    this.#clock.clearTimeout(s.restartTimer);
    s.restartTimer = undefined;
    this.#restartCancelledNow(s);
  }

  #restartCancelledNow(s: NodeState): void {
    this.#finish(s, "stopped");
    this.#host.restartCancelled(s.spec.id);
  }

  #fail(s: NodeState, error: string): void {
    this.#finish(s, "failed", error);
    const node = s.spec.id;
    for (const [receiver, inputs] of this.#downstream.get(node) ?? []) {
      this.#host.send(receiver, {
        t: "node_failed",
        id: node,
        inputs,
        error,
      });
    }
  }

  #finish(
    s: NodeState,
    status: "finished" | "stopped" | "failed",
    error?: string,
  ): void {
    s.finished = true;
    s.alive = false;
    // A node that already failed (start-up timeout) stays failed when stopped.
    if (s.stats.status !== "failed") s.stats.status = status;
    if (error !== undefined) s.stats.lastError = error;
    this.#clearTimer(s.stragglerTimer);
    s.stragglerTimer = undefined;
    this.#checkStragglers();
  }

  #updateDegraded(s: NodeState): void {
    s.stats.brokenInputs = this.#breaker.broken(s.spec.id);
    if (s.finished) return;
    if (s.stats.brokenInputs.length > 0) s.stats.status = "degraded";
    else if (s.stats.status === "degraded") s.stats.status = "running";
  }

  #checkStarted(): void {
    if (!this.#starting) return;
    for (const s of this.#nodes.values()) {
      if (!isDynamic(s.spec) && !s.connected && !s.finished) return;
    }
    this.#starting = false;
    this.#clearStartupTimers();
  }

  /** The start-up timeout `ms` expired: its nodes that did not connect fail the start. */
  #startupExpired(ms: number): void {
    if (!this.#starting || this.#stopping || this.#disposed) return;
    const lateStates = [...this.#nodes.values()].filter((s) =>
      !isDynamic(s.spec) && !s.connected && !s.finished && s.startup.ms === ms
    );
    const late = lateStates.map((s) => s.spec.id);
    if (late.length === 0) return;
    this.#starting = false;
    this.#clearStartupTimers();
    const message = `${late.length === 1 ? "node" : "nodes"} ${
      names(late)
    } did not connect to the daemon within ${formatMs(ms)} (start-up timeout; ${
      startupTimeoutHint(lateStates[0].startup.source)
    })`;
    for (const id of late) {
      const s = this.#nodes.get(id)!;
      s.restart.disable();
      s.stats.status = "failed";
      s.stats.lastError = "did not connect within the start-up timeout";
    }
    this.#host.log("error", undefined, message);
    this.#host.failStart(message);
  }

  /** Once all other nodes finished, lingering nodes with closed inputs get a grace period. */
  #checkStragglers(): void {
    if (this.#stopping || this.#disposed) return;
    const running = [...this.#nodes.values()].filter((s) =>
      !isDynamic(s.spec) && !s.finished
    );
    if (running.length === 0) return;
    for (const s of running) {
      const othersDone = running.length === 1;
      if (
        !othersDone || !s.allInputsClosed || s.stragglerTimer !== undefined ||
        s.restartTimer !== undefined
      ) continue;
      const node = s.spec.id;
      // The node's own `finish_grace_secs` wins over the dataflow default.
      const graceMs = secondsToMs(
        (s.spec as NodeSpec & { finishGraceSecs?: number }).finishGraceSecs,
      ) ?? this.timeouts.finishGraceMs;
      s.stragglerTimer = this.#clock.setTimeout(() => {
        s.stragglerTimer = undefined;
        if (s.finished || this.#stopping) return;
        const reason = `still running ${
          formatMs(graceMs)
        } after its inputs closed and every other node finished; stopping it`;
        this.#host.log("warn", node, `node \`${node}\` ${reason}`);
        this.#host.stopNode(node, reason);
      }, graceMs);
    }
  }

  #clearTimer(id: TimerId | undefined): void {
    if (id !== undefined) this.#clock.clearTimeout(id);
  }

  #clearStartupTimers(): void {
    for (const id of this.#startupTimers) this.#clock.clearTimeout(id);
    this.#startupTimers = [];
  }

  #clearInterval(): void {
    if (this.#sweepTimer !== undefined) {
      this.#clock.clearInterval(this.#sweepTimer);
    }
    this.#sweepTimer = undefined;
  }
}
