/**
 * The runtime's state for one node of a dataflow: its process, connection,
 * receiver queue, open outputs and outcome.
 *
 * @module
 */
import type { NodeSpec } from "../descriptor/model.ts";
import type { NodeParams } from "../descriptor/node_params.ts";
import type { NodeToDaemon, StatsHeader } from "../message/mod.ts";
import type { LogFileWriter } from "../logs/mod.ts";
import type { NodeConnection } from "./delivery/connection.ts";
import type { NodeExitStatus, NodeProcess } from "./spawn/node_process.ts";
import type { ReceiverQueue } from "./delivery/receiver_queue.ts";
import type { SpawnPlan } from "./spawn/spawn_plan.ts";
import type { NodeOutcome } from "./ending/summary.ts";
import type { Successor } from "./node_swap.ts";

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
  held: {
    header: NodeToDaemon;
    payload: Uint8Array | null;
    text: string;
    bytes: Uint8Array | null;
  }[] = [];
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
  /**
   * Direct delivery (docs/protocol.md): the node's `listen` socket, whether
   * its node API said `direct` in its last `hello`, its incarnation (1 +
   * restarts, counted at each `hello`), the routes it was last sent.
   */
  listen?: string;
  /** A sandboxed node reaches only these link sockets (undefined: any). */
  linkSockets?: string[];
  direct = false;
  gen = 0;
  routesJson?: string;
  /** Receivers asked to `drain` this node's links and not done yet. */
  drainWaits = new Set<string>();
  /** This process's `stats`, and the sum over its earlier processes. */
  stats?: StatsHeader;
  statsBase: StatsTotals = emptyTotals();
  /** Messages of each output the runtime routed itself (not over links). */
  routedSent = new Map<string, { n: number }>();
  /** Current runtime parameters (sent in `hello_ok`, changes as events). */
  params: NodeParams;
  /**
   * The `secret` of the process dora started for this node (its `hello`
   * must carry it); undefined for nodes started by hand.
   */
  secret?: string;
  /** Link keys of this process's receivers (see spawn/node_secret.ts). */
  linkKeys = new Map<string, string>();
  /** A `dora node restart` / `stop` of this process is under way. */
  manual?: "restart" | "stop";
  /** The process a `dora node replace` started to take this one's place. */
  successor?: Successor;
  /** The `pid` its process said in `hello` (its links say it too). */
  helloPid?: number;
  /**
   * A committed `node replace` waits for these direct senders' links to
   * reach their hand-over mark before the old process gets STOP
   * (hand_over.ts).
   */
  handOver?: {
    waiting: Set<string>;
    timer: ReturnType<typeof setTimeout>;
    stop: () => void;
  };

  constructor(spec: NodeSpec, local: boolean) {
    this.spec = spec;
    this.local = local;
    this.params = structuredClone(spec.params ?? {});
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

/** Counters of direct delivery summed over a node's processes. */
export type StatsTotals = Omit<StatsHeader, "t">;

/** All counters zero. */
export function emptyTotals(): StatsTotals {
  return {
    sent: 0,
    shm_sent: 0,
    shm_bytes: 0,
    inline_sent: 0,
    received: 0,
    shm_received: 0,
    inline_received: 0,
    drops: {},
    lost: {},
    undelivered: {},
  };
}

/** `a + b`, counter by counter. */
export function addTotals(a: StatsTotals, b: StatsTotals): StatsTotals {
  const sum = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const lost: Record<string, Record<string, number>> = { ...a.lost };
  for (const [r, m] of Object.entries(b.lost)) lost[r] = sum(lost[r] ?? {}, m);
  return {
    sent: a.sent + b.sent,
    shm_sent: a.shm_sent + b.shm_sent,
    shm_bytes: a.shm_bytes + b.shm_bytes,
    inline_sent: a.inline_sent + b.inline_sent,
    received: a.received + b.received,
    shm_received: a.shm_received + b.shm_received,
    inline_received: a.inline_received + b.inline_received,
    out: sum(a.out ?? {}, b.out ?? {}),
    in: sum(a.in ?? {}, b.in ?? {}),
    drops: sum(a.drops, b.drops),
    lost,
    undelivered: sum(a.undelivered, b.undelivered),
    unread: (a.unread ?? 0) + (b.unread ?? 0),
  };
}

/** A node's counters over all its processes so far. */
export function totalsOf(node: RunningNode): StatsTotals {
  return node.stats ? addTotals(node.statsBase, node.stats) : node.statsBase;
}
