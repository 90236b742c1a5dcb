/**
 * Wires the fault supervisor (`src/fault/`) into a {@linkcode DataflowRuntime}:
 * the runtime calls these hooks at a few points (connect, request, routing,
 * stop, exit, finish) and the hooks act on the runtime's nodes — queue
 * control events, kill processes, fail the start.
 *
 * @module
 */
import type { Dataflow } from "../descriptor/model.ts";
import {
  type Clock,
  type FaultEvent,
  type FaultHost,
  type FaultLogLevel,
  type FaultSummary,
  FaultSupervisor,
  formatFaultSummary,
} from "../fault/mod.ts";
import type { NodeExitStatus } from "./spawn/node_process.ts";
import type { RunningNode } from "./running_node.ts";
import type { NodeExitInfo, RestartDecision } from "./options.ts";

/** How long a node that closed its connection may take to exit. */
const CLOSE_GRACE_MS = 1000;

/** What the hooks need from the runtime. */
export interface FaultRuntimeAccess {
  /** The runtime's nodes (the same map, read live). */
  nodes: ReadonlyMap<string, RunningNode>;
  /** Answers the node's outstanding `next` if events are queued. */
  deliver(node: RunningNode): void;
  /** Messages dropped per input of `node` (every queue on the way). */
  drops?(node: RunningNode): Record<string, number>;
  /** Fails the start of the dataflow (stops everything). */
  failStart(message: string): void;
  /** The stop ladder's last steps for one node: SIGTERM, then SIGKILL. */
  terminate(node: RunningNode, graceMs: number): void;
  /** The runtime's own messages (shown by `dora run`). */
  message(level: "error" | "warn" | "info" | "debug", text: string): void;
  /** Folder of the dataflow's log files (`out/<uuid>`). */
  logDir: string;
  /** Time source (tests); default: real time. */
  clock?: Clock;
}

/**
 * Fault tolerance for one runtime.
 *
 * @example
 * ```ts ignore
 * const fault = new FaultHooks(dataflow, { nodes, deliver, failStart, message, logDir });
 * fault.start();                       // after spawning
 * fault.connected("camera");           // on hello
 * fault.activity("camera");            // on every frame
 * if (!fault.admit("planner", "image")) { /* drop *\/ }
 * const decision = fault.decide(info);  // restart decision on exit
 * fault.exited(node);                  // after a final exit
 * fault.finish();                      // the dataflow ended
 * ```
 */
export class FaultHooks {
  readonly supervisor: FaultSupervisor;
  #access: FaultRuntimeAccess;
  /** Nodes whose last exit went through `decide()`. */
  #decided = new Set<string>();
  /** Inputs closed by the circuit breaker: `node\0input`. */
  #broken = new Set<string>();
  /** Nodes already told to the supervisor as all-inputs-closed. */
  #allClosed = new Set<string>();
  #killTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Restarts waiting for their backoff delay. */
  #pendingRestarts = new Map<string, (d: RestartDecision) => void>();
  #finished = false;

  constructor(dataflow: Dataflow, access: FaultRuntimeAccess) {
    this.#access = access;
    this.supervisor = new FaultSupervisor(dataflow, this.#host(), {
      clock: access.clock,
      localNodes: [...access.nodes.values()].filter((n) => n.local).map((n) =>
        n.spec.id
      ),
    });
  }

  /** Every local node was spawned. */
  start(): void {
    this.supervisor.start();
  }

  /** A node's `hello` was accepted. */
  connected(node: string): void {
    this.supervisor.nodeConnected(node);
  }

  /** Any frame from a connected node. */
  activity(node: string): void {
    this.supervisor.nodeActivity(node);
  }

  /**
   * A message is about to be queued for `node`'s `input`: false means drop it
   * (counted). A recovering input gets INPUT_RECOVERED first.
   */
  admit(node: string, input: string): boolean {
    return this.supervisor.inputMessage(node, input);
  }

  /** `dora node restart` ended the node's process; it is respawned at once. */
  restartedByHand(node: string): void {
    this.supervisor.restartedByHand(node);
  }

  /** `dora node stop` asked the node to end (no restart, not a failure). */
  stopRequested(node: string): void {
    this.supervisor.stopRequested(node);
  }

  /** The runtime's stop ladder began (no more restarts). */
  stopBegun(): void {
    this.supervisor.stopBegun();
  }

  /**
   * A node's connection closed. A crashing node's socket closes just before
   * its exit is seen; closing its outputs now would send INPUT_CLOSED (and
   * maybe STOP) downstream before the restart decision or NODE_FAILED. So
   * while the process still runs, `closeOutputs` waits for the exit (which
   * decides: restart, or close) and runs only if the process lives on.
   */
  connectionClosed(node: RunningNode, closeOutputs: () => void): void {
    const proc = node.process;
    // The process already exited and its restart decision is pending: a
    // restart keeps the outputs open, an end closes them (afterExit).
    if (proc?.hasExited && this.#decided.has(node.spec.id)) return;
    if (!proc || proc.hasExited) return closeOutputs();
    const t = setTimeout(() => {
      this.#killTimers.delete(t);
      if (node.process === proc && !proc.hasExited) closeOutputs();
    }, CLOSE_GRACE_MS);
    this.#killTimers.add(t);
  }

  /**
   * The restart decision for a node that exited while the dataflow runs.
   * A restart resolves after its backoff delay (so a stop that begins during
   * the wait cancels it at once: the answer is then "no restart").
   */
  decide(info: NodeExitInfo): RestartDecision | Promise<RestartDecision> {
    const id = info.node.id;
    this.#noteAllClosed();
    this.#decided.add(id);
    const outcome = this.supervisor.nodeExited(id, info.status);
    if (outcome.kind !== "restarting") return { restart: false };
    for (const key of [...this.#broken]) {
      if (key.startsWith(`${id}\u0000`)) this.#broken.delete(key);
    }
    return new Promise((resolve) => this.#pendingRestarts.set(id, resolve));
  }

  /** A node ended for good (after its outputs were closed). */
  exited(node: RunningNode): void {
    const id = node.spec.id;
    this.#noteAllClosed();
    if (!this.#decided.delete(id)) {
      const status: NodeExitStatus = node.exitStatus ??
        { code: null, signal: null, success: false };
      this.supervisor.nodeExited(id, status);
    }
    this.#explain(node);
  }

  /**
   * Counters of every node. Messages dropped from full `drop_oldest` queues
   * (counted by the runtime's queues) are included in `droppedMessages`.
   */
  summary(): FaultSummary {
    const summary = this.supervisor.summary();
    for (const n of this.#access.nodes.values()) {
      const stats = summary.nodes[n.spec.id];
      if (!stats) continue;
      const drops = Object.values(
        this.#access.drops?.(n) ?? n.queue.drops(),
      ).reduce((a, b) => a + b, 0);
      stats.droppedMessages += drops;
      summary.totals.droppedMessages += drops;
    }
    return summary;
  }

  /** Puts the fault-tolerance reason (give-up, health check) into a failed node's message. */
  #explain(node: RunningNode): void {
    if (node.outcome !== "failed") return;
    const id = node.spec.id;
    const stats = this.supervisor.summary().nodes[id];
    const failure = stats?.failure;
    if (!failure) return;
    if (failure.kind === "max-restarts") {
      if (node.message && failure.note) node.message += `; ${failure.note}`;
    } else if (stats.lastError) {
      node.message = `node "${id}" failed: ${stats.lastError}`;
    }
  }

  /**
   * The dataflow ended: stops every timer, prints the counters (when
   * something happened) and writes them to `<logDir>/fault_summary.json`.
   */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.supervisor.dispose();
    for (const id of [...this.#pendingRestarts.keys()]) {
      this.#resolveRestart(id, false);
    }
    for (const t of this.#killTimers) clearTimeout(t);
    this.#killTimers.clear();
    const summary = this.summary();
    for (const line of formatFaultSummary(summary)) {
      this.#access.message("info", line);
    }
    try {
      Deno.writeTextFileSync(
        `${this.#access.logDir}/fault_summary.json`,
        JSON.stringify(summary, null, 2) + "\n",
      );
    } catch {
      // no log folder (the start failed early): the summary is still returned
    }
  }

  #resolveRestart(id: string, restart: boolean): void {
    const resolve = this.#pendingRestarts.get(id);
    this.#pendingRestarts.delete(id);
    resolve?.(restart ? { restart: true, delayMs: 0 } : { restart: false });
  }

  /** Tells the supervisor about nodes whose inputs have all closed. */
  #noteAllClosed(): void {
    for (const n of this.#access.nodes.values()) {
      const id = n.spec.id;
      if (!n.local || this.#allClosed.has(id) || !this.#allInputsClosed(n)) {
        continue;
      }
      this.#allClosed.add(id);
      this.supervisor.allInputsClosed(id);
    }
  }

  /** Every input closed: upstream output gone or broken by a timeout. */
  #allInputsClosed(n: RunningNode): boolean {
    const inputs = n.spec.inputs;
    if (inputs.length === 0) return false;
    return inputs.every((i) => {
      if (this.#broken.has(`${n.spec.id}\u0000${i.id}`)) return true;
      if (i.source.kind !== "node") return false;
      const up = this.#access.nodes.get(i.source.node);
      return up !== undefined && !up.openOutputs.has(i.source.output);
    });
  }

  #host(): FaultHost {
    const nodes = () => this.#access.nodes;
    const live = (id: string) => {
      const n = nodes().get(id);
      return n && n.alive ? n : undefined;
    };
    return {
      send: (id: string, event: FaultEvent) => {
        const n = live(id);
        if (!n) return;
        n.queue.pushControl({ ...event });
        this.#access.deliver(n);
      },
      kill: (id: string) => {
        live(id)?.process?.kill("SIGKILL");
      },
      // The backoff is over: `decide()` answers "restart" and the runtime spawns.
      respawn: (id: string) => this.#resolveRestart(id, true),
      stopNode: (id: string, _reason: string, graceMs: number) => {
        const n = live(id);
        if (n) this.#access.terminate(n, graceMs);
      },
      closeInput: (id: string, input: string) => {
        const n = live(id);
        if (!n) return;
        this.#broken.add(`${id}\u0000${input}`);
        if (this.#allInputsClosed(n)) {
          // The last open input: close it for real (STOP ALL_INPUTS_CLOSED follows).
          n.queue.closeInput(input);
          this.#noteAllClosed();
        } else {
          n.queue.pushControl({ t: "input_closed", id: input });
        }
        this.#access.deliver(n);
      },
      reopenInput: (id: string, input: string) => {
        this.#broken.delete(`${id}\u0000${input}`);
      },
      restartCancelled: (id: string) => this.#resolveRestart(id, false),
      failStart: (message: string) => {
        // Nodes that never connected cannot get STOP: end them now.
        for (const n of nodes().values()) {
          if (n.alive && !n.helloSeen) n.process?.kill("SIGKILL");
        }
        this.#access.failStart(message);
      },
      log: (level: FaultLogLevel, _node: string | undefined, text: string) => {
        this.#access.message(level, text);
      },
      isBackpressured: (id: string, input: string) => {
        const n = nodes().get(id);
        const spec = n?.spec.inputs.find((i) => i.id === input);
        if (!n || !spec) return false;
        return spec.queuePolicy === "backpressure"
          ? n.queue.isFull(input)
          : n.queue.queued(input) >= spec.queueSize;
      },
      isWaiting: (id: string) => {
        const n = nodes().get(id);
        return n !== undefined && n.connected && n.pendingNext !== undefined;
      },
    };
  }
}
