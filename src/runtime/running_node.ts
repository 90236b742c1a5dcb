/**
 * The runtime's state for one node of a dataflow: its process, connection,
 * receiver queue, open outputs and outcome.
 *
 * @module
 */
import type { NodeSpec } from "../descriptor/model.ts";
import type { NodeToDaemon } from "../message/mod.ts";
import type { LogFileWriter } from "../logs/mod.ts";
import type { NodeConnection } from "./delivery/connection.ts";
import type { NodeExitStatus, NodeProcess } from "./spawn/node_process.ts";
import type { ReceiverQueue } from "./delivery/receiver_queue.ts";
import type { SpawnPlan } from "./spawn/spawn_plan.ts";
import type { NodeOutcome } from "./ending/summary.ts";

/** Mutable per-node state owned by the runtime. */
export class RunningNode {
  readonly spec: NodeSpec;
  /** Spawned by this runtime (false: runs on another machine). */
  readonly local: boolean;
  plan?: SpawnPlan;
  process?: NodeProcess;
  conn?: NodeConnection;
  queue!: ReceiverQueue;
  log?: LogFileWriter;
  /** `max` of the outstanding `next`, if any. */
  pendingNext?: number;
  connected = false;
  /** The connected node maps shared memory (else it gets payloads inline). */
  shm = false;
  /** Connected at least once (in this incarnation). */
  helloSeen = false;
  readySent = false;
  openOutputs: Set<string>;
  exited = false;
  exitStatus?: NodeExitStatus;
  /** The stop ladder sent SIGTERM/SIGKILL to this node. */
  signaledByLadder = false;
  outcome: NodeOutcome = "running";
  message?: string;
  stderrTail: string[] = [];
  undelivered = 0;
  restarts = 0;
  sent = 0;
  /** Frames of a blocked sender waiting for room (in order). */
  held: { header: NodeToDaemon; payload: Uint8Array | null; text: string }[] =
    [];
  /** Resolved when `held` has room again (the socket is read again). */
  heldWaiters: (() => void)[] = [];
  /** Runs once `held` is empty (output closing after EOF). */
  afterHeld?: () => void;
  /** Frames received from the node (progress of a draining connection). */
  framesIn = 0;
  viaShm = 0;
  received = 0;
  /** Payload bytes that crossed the node's socket inline (see NodeSummary). */
  inlineBytesSent = 0;
  inlineBytesReceived = 0;
  /** Bytes sent, and inputs received, as shared-memory references. */
  shmBytesSent = 0;
  viaShmReceived = 0;
  /** Inputs that already warned about drops. */
  dropWarned = new Set<string>();
  /** Shared-memory tokens delivered to the node and not yet released. */
  heldTokens = new TokenBag();
  /** Shared-memory regions the node registered with `shm_new`. */
  shmRegions = new Set<string>();
  /** Regions of an exited process waiting for held outputs (see _shm.ts). */
  retiring: string[] = [];

  constructor(spec: NodeSpec, local: boolean) {
    this.spec = spec;
    this.local = local;
    // Log routing outputs exist whether or not they are declared.
    this.openOutputs = new Set(
      [...spec.outputs, spec.sendStdoutAs, spec.sendLogsAs].filter((
        o,
      ): o is string => !!o),
    );
  }

  /** `path: dynamic`: started by hand, joins by connecting (never spawned). */
  get dynamic(): boolean {
    return this.spec.path === "dynamic";
  }

  /** Whether the node can still receive events. */
  get alive(): boolean {
    return this.local && !this.exited;
  }
}

/** A multiset of shared-memory tokens. */
export class TokenBag {
  #counts = new Map<string, number>();

  /** Adds one occurrence of `token`. */
  add(token: string): void {
    this.#counts.set(token, (this.#counts.get(token) ?? 0) + 1);
  }

  /** Removes one occurrence; false when `token` is not held. */
  take(token: string): boolean {
    const n = this.#counts.get(token);
    if (n === undefined) return false;
    if (n > 1) this.#counts.set(token, n - 1);
    else this.#counts.delete(token);
    return true;
  }

  /** Removes and returns every occurrence. */
  drain(): string[] {
    const all: string[] = [];
    for (const [t, n] of this.#counts) for (let i = 0; i < n; i++) all.push(t);
    this.#counts.clear();
    return all;
  }
}
