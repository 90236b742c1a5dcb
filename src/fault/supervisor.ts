/**
 * The fault supervisor of one dataflow: restart policies, health checks, the
 * input-timeout circuit breaker, NODE_RESTARTED / NODE_FAILED propagation,
 * the start-up timeout and the finish-straggler watchdog, with per-node
 * counters. The runtime reports what happens through the hook methods; the
 * supervisor acts through the {@linkcode FaultHost} it was given.
 *
 * The parts live beside it: exits (`_exit.ts`), restarts (`_restart.ts`),
 * start-up (`_startup.ts`), the sweep (`_sweep.ts`), stragglers
 * (`_stragglers.ts`) and the shared state (`_state.ts`).
 *
 * @module
 */
import type { Dataflow } from "../descriptor/model.ts";
import { realClock } from "./clock.ts";
import {
  type FaultSummary,
  type NodeFaultStats,
  summarize,
} from "./counters.ts";
import { downstreamOf } from "./graph.ts";
import type { ExitOutcome, FaultHost, FaultSupervisorOptions } from "./host.ts";
import { exitedCleanly, type ExitStatus } from "./restart_policy.ts";
import {
  type DataflowTimeouts,
  dataflowTimeouts,
  secondsToMs,
} from "./settings.ts";
import { nodeExited } from "./_exit.ts";
import { restartedByHand } from "./_restart.ts";
import { armStartup, checkStarted } from "./_startup.ts";
import { newNodeState, SupervisorState } from "./_state.ts";
import { checkStragglers } from "./_stragglers.ts";
import { needsSweep, sweep } from "./_sweep.ts";

export type {
  ExitOutcome,
  FaultEvent,
  FaultHost,
  FaultLogLevel,
  FaultSupervisorOptions,
} from "./host.ts";

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
  #st: SupervisorState;

  constructor(
    dataflow: Dataflow,
    host: FaultHost,
    options: FaultSupervisorOptions = {},
  ) {
    this.timeouts = {
      ...dataflowTimeouts(dataflow.healthCheckInterval),
      ...options.timeouts,
    };
    const st = this.#st = new SupervisorState(
      host,
      options.clock ?? realClock,
      this.timeouts,
      downstreamOf(dataflow),
    );
    const local = options.localNodes && new Set(options.localNodes);
    for (const spec of dataflow.nodes) {
      if (local && !local.has(spec.id)) continue;
      st.nodes.set(spec.id, newNodeState(spec, dataflow, this.timeouts));
      for (const input of spec.inputs) {
        const ms = secondsToMs(input.inputTimeout);
        if (ms !== undefined) st.breaker.guard(spec.id, input.id, ms);
      }
    }
  }

  /**
   * The graph changed while the dataflow runs (`dora node add`, `connect`,
   * …): who reads whom is taken from `dataflow`, and the local nodes in
   * `added` are supervised like the others (restart policy, health check,
   * input timeouts).
   */
  graphChanged(dataflow: Dataflow, added: string[]): void {
    const st = this.#st;
    st.downstream.clear();
    for (const [k, v] of downstreamOf(dataflow)) st.downstream.set(k, v);
    for (const id of added) {
      const spec = dataflow.nodes.find((n) => n.id === id);
      if (!spec) continue;
      st.nodes.set(id, newNodeState(spec, dataflow, this.timeouts));
      for (const input of spec.inputs) {
        const ms = secondsToMs(input.inputTimeout);
        if (ms !== undefined) st.breaker.guard(spec.id, input.id, ms);
      }
    }
  }

  /** Every static node was spawned: arm the start-up timeout and the sweep. */
  start(): void {
    const st = this.#st;
    armStartup(st);
    if (needsSweep(st)) {
      st.sweepTimer = st.clock.setInterval(
        () => this.sweep(),
        this.timeouts.healthCheckIntervalMs,
      );
    }
    checkStarted(st);
  }

  /** A node said `hello`. */
  nodeConnected(node: string): void {
    const st = this.#st;
    const s = st.nodes.get(node);
    if (!s) return;
    s.connected = true;
    s.alive = true;
    if (s.connectTimer !== undefined) st.clock.clearTimeout(s.connectTimer);
    s.connectTimer = undefined;
    if (s.stats.status === "starting" || s.stats.status === "restarting") {
      s.stats.status = "running";
    }
    const timeout = secondsToMs(s.spec.healthCheckTimeout);
    if (timeout !== undefined && !st.stopping) {
      st.health.watch(node, timeout, st.clock.now());
    }
    checkStarted(st);
  }

  /** Any request from the node (a sign of life for the health check). */
  nodeActivity(node: string): void {
    this.#st.health.activity(node, this.#st.clock.now());
  }

  /** A `next` of the node is parked (`true`) or was answered (`false`). */
  nodeWaiting(node: string, waiting: boolean): void {
    this.#st.health.waiting(node, waiting, this.#st.clock.now());
  }

  /**
   * A message is about to be queued for `node`'s `input`. Returns false when
   * it must be dropped (a broken input whose receiver is backpressured; the
   * drop is counted). Sends INPUT_RECOVERED when a broken input recovers.
   */
  inputMessage(node: string, input: string): boolean {
    const st = this.#st;
    // Hot path: most dataflows guard no input at all.
    if (st.breaker.size === 0 || !st.breaker.guards(node, input)) {
      return true;
    }
    const s = st.nodes.get(node);
    if (s?.allInputsClosed) return true;
    const backpressured = st.host.isBackpressured?.(node, input) ?? false;
    const verdict = st.breaker.onMessage(
      node,
      input,
      st.clock.now(),
      backpressured,
    );
    if (verdict === "drop") {
      if (s) s.stats.droppedMessages++;
      return false;
    }
    if (verdict === "recover" && s) {
      s.stats.recoveries++;
      st.host.reopenInput(node, input);
      st.host.send(node, { t: "input_recovered", id: input });
      st.host.log("info", node, `input "${input}" recovered`);
      st.updateDegraded(s);
    }
    return true;
  }

  /** Counts messages the runtime dropped from a node's queues. */
  messagesDropped(node: string, count = 1): void {
    const s = this.#st.nodes.get(node);
    if (s) s.stats.droppedMessages += count;
  }

  /** An input closed for real (its upstream finished): stop guarding it. */
  inputClosed(node: string, input: string): void {
    this.#st.breaker.release(node, input);
  }

  /** ALL_INPUTS_CLOSED was sent to `node`: it will not be restarted. */
  allInputsClosed(node: string): void {
    const s = this.#st.nodes.get(node);
    if (!s) return;
    s.allInputsClosed = true;
    s.restart.disable();
    this.#st.cancelRestart(s);
    checkStragglers(this.#st);
  }

  /** A stop of the whole dataflow began: no more restarts, kills or timers. */
  stopBegun(): void {
    const st = this.#st;
    if (st.stopping) return;
    st.stopping = true;
    st.starting = false;
    st.clearStartupTimers();
    st.clearInterval();
    for (const s of st.nodes.values()) {
      s.restart.disable();
      st.health.unwatch(s.spec.id);
      st.clearTimer(s.connectTimer);
      st.clearTimer(s.stragglerTimer);
      s.connectTimer = s.stragglerTimer = undefined;
      st.cancelRestart(s);
    }
  }

  /** True once a stop of the whole dataflow began. */
  get stopping(): boolean {
    return this.#st.stopping;
  }

  /** The node's process exited with `status`. */
  nodeExited(node: string, status: ExitStatus): ExitOutcome {
    const s = this.#st.nodes.get(node);
    if (!s) return { kind: "finished", failed: !exitedCleanly(status) };
    return nodeExited(this.#st, s, status);
  }

  /**
   * `dora node restart` ended the node's process and brings it back at once:
   * counted as a restart, NODE_RESTARTED to its receivers.
   */
  restartedByHand(node: string): void {
    const s = this.#st.nodes.get(node);
    if (s && !this.#st.stopping) restartedByHand(this.#st, s);
  }

  /** `dora node stop` asked the node to end: its exit is a stop, not a failure. */
  stopRequested(node: string): void {
    const s = this.#st.nodes.get(node);
    if (!s) return;
    s.stopRequested = true;
    s.restart.disable();
    this.#st.health.unwatch(node);
  }

  /** Runs the health and input-timeout checks (every `health_check_interval`). */
  sweep(): void {
    sweep(this.#st);
  }

  /** The counters of every node. */
  summary(): FaultSummary {
    const stats = new Map<string, NodeFaultStats>();
    for (const [id, s] of this.#st.nodes) stats.set(id, s.stats);
    return summarize(stats);
  }

  /** The restart count of a node (for DORA_NODE_CONFIG). */
  restartCount(node: string): number {
    return this.#st.nodes.get(node)?.restart.restartCount ?? 0;
  }

  /** Clears every timer; the supervisor does nothing afterwards. */
  dispose(): void {
    const st = this.#st;
    st.disposed = true;
    st.clearStartupTimers();
    st.clearInterval();
    for (const s of st.nodes.values()) {
      st.clearTimer(s.connectTimer);
      st.clearTimer(s.stragglerTimer);
      st.clearTimer(s.restartTimer);
      s.restartTimer = undefined;
    }
  }
}
