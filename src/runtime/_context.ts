/**
 * The shared state of one {@linkcode DataflowRuntime}: the `_*.ts` files are
 * functions over it (start-up, forwarding, delivery, exits, stop ladder, …),
 * so each concern lives in its own small file while the state stays in one
 * place. Plain fields: the hot path reads them on every message.
 *
 * @module
 */
import { v7 as uuidv7 } from "uuid";
import type { Dataflow } from "../descriptor/model.ts";
import { HybridLogicalClock } from "../message/mod.ts";
import type { ConnectionHandler } from "./delivery/connection.ts";
import type { FaultHooks } from "./fault_hooks.ts";
import type { RunningNode } from "./running_node.ts";
import type { RoutingTable } from "./delivery/routing.ts";
import type { ShmTracker } from "./shm/shm_tracker.ts";
import { InlineCopier } from "./shm/inline_copy.ts";
import type { RunSummary } from "./ending/summary.ts";
import type { TimerHub } from "./timers.ts";
import type { RuntimeOptions } from "./options.ts";
import type { Tap } from "./delivery/taps.ts";
import type { SpawnContext } from "./spawn/spawn_plan.ts";
import type { RuntimeTrace } from "./_trace.ts";
import type { RemoteCredits } from "./delivery/remote_credits.ts";

/** A local receiver of one output, resolved once (the hot path's routing). */
export interface Route {
  node: RunningNode;
  input: string;
  /** `{"t":"input","id":<input>,` (see forward.ts). */
  head: string;
  /** The input id's UTF-8 bytes (binary headers). */
  idBytes: Uint8Array;
}

/**
 * The relayed local receivers of one output, whether other machines have
 * some, how many messages the runtime saw on it (for `dora node info`
 * rates), and its subscribers (taps) if any.
 */
export type Routes = Route[] & {
  remote: boolean;
  sent: { n: number };
  taps?: Set<Tap>;
};

/** Where the runtime is in its life. */
export type RuntimeState =
  | "created"
  | "starting"
  | "running"
  | "stopping"
  | "finished";

/** The mutable state of one running dataflow (internal to src/daemon). */
export class RuntimeContext {
  readonly id: string;
  readonly dataflow: Dataflow;
  readonly logDir: string;
  readonly opts: RuntimeOptions;
  readonly nodes = new Map<string, RunningNode>();
  // Set by the runtime's constructor (they call back into the functions).
  /** The runtime itself, serving the node connections. */
  handler!: ConnectionHandler;
  routing!: RoutingTable;
  timers!: TimerHub;
  shm!: ShmTracker;
  fault?: FaultHooks;
  /** Spans for `dora trace`, when the embedder gave a tracer. */
  trace?: RuntimeTrace;
  clock = new HybridLogicalClock();
  /** Largest `ts` received and not yet applied to `clock` (see `hlc`). */
  seenTs?: string;
  listener?: Deno.Listener;
  /** The operator file watcher of `--hot-reload`. */
  watcher?: { close(): void };
  runtimeDir?: string;
  socketPath = "";
  state: RuntimeState = "created";
  barrierReleased = false;
  stopCount = 0;
  /** Every pending timeout of the runtime (cleared when it finishes). */
  ladderTimers: ReturnType<typeof setTimeout>[] = [];
  /** Senders with held frames (backpressure). */
  blocked = new Set<RunningNode>();
  waking = false;
  wakeAgain = false;
  /** A forced stop (second Ctrl-C) killed the nodes. */
  forced = false;
  startedAt = new Date();
  error?: string;
  stopReason?: string;
  resolveFinished!: (s: RunSummary) => void;
  /** Receivers to answer at the end of this tick (see `deliverSoon`). */
  toDeliver = new Set<RunningNode>();
  /** Copies shared-memory payloads for receivers that cannot map them. */
  inline = new InlineCopier();
  /** Resolved relayed routes per `node` then `output` (see `routesOf`). */
  routes = new Map<string, Map<string, Routes>>();
  /** Direct delivery is on (see delivery/direct_routes.ts). */
  direct = true;
  /** `sender\0receiver` pairs relayed because the receiver could not link. */
  relayPairs = new Set<string>();
  /** What spawning a node needs (set at start; nodes added later use it). */
  spawnCtx?: SpawnContext;
  /** Subscribers per `node/output` (see delivery/taps.ts). */
  taps = new Map<string, Set<Tap>>();
  /** Backpressure across machines (see delivery/remote_credits.ts). */
  credits!: RemoteCredits;

  constructor(options: RuntimeOptions) {
    this.opts = options;
    this.dataflow = options.dataflow;
    this.id = options.dataflowId ?? uuidv7();
    this.logDir = `${
      options.outDir ?? `${this.dataflow.workingDir}/out`
    }/${this.id}`;
  }
}

/** Reports a runtime message (warnings, errors) to the embedder. */
export function message(
  rt: RuntimeContext,
  level: "error" | "warn" | "info" | "debug",
  text: string,
): void {
  rt.opts.events?.onMessage?.(level, text);
}
