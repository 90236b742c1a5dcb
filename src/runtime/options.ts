/**
 * Options, hooks and event types of {@linkcode DataflowRuntime}.
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import type { LogRecord } from "../logs/mod.ts";
import type { WireMetadata } from "../message/mod.ts";
import type { NodeExitStatus } from "./spawn/node_process.ts";
import type { NodeOutcome, RunSummary } from "./ending/summary.ts";
import type { SpanContext, Tracer } from "../inspect/trace.ts";

/** A message crossing machines (outbound hook / inbound entry point). */
export interface RemoteMessage {
  /** Sending node id. */
  from: string;
  /** Output id of the sender. */
  output: string;
  metadata: WireMetadata;
  /** Data layout `d` (undefined for an empty message). */
  data: unknown;
  /**
   * Payload bytes (a shared-memory payload was copied out of its region by
   * the runtime).
   */
  payload: Uint8Array | null;
}

/** Passed to the restart hook when a node process ends. */
export interface NodeExitInfo {
  node: NodeSpec;
  status: NodeExitStatus;
  /** Restarts so far. */
  restarts: number;
}

/** The restart hook's answer. */
export interface RestartDecision {
  restart: boolean;
  /** Wait this long before respawning. */
  delayMs?: number;
}

/** What the runtime reports while it runs. */
export interface RuntimeEvents {
  /** A node log record (after the node's `min_log_level`). */
  onLog?(record: LogRecord): void;
  /** The runtime's own messages (warnings, errors). */
  onMessage?(level: "error" | "warn" | "info" | "debug", text: string): void;
  /** The ready barrier was released (timers started). */
  onReady?(): void;
  /** With `externalBarrier`: every local node has connected. */
  onLocalReady?(): void;
  /** A node ended for good (no restart). */
  onNodeExit?(info: {
    node: string;
    outcome: NodeOutcome;
    status?: NodeExitStatus;
    message?: string;
    stderrTail: string[];
  }): void;
  /** A message was dropped from an input queue; `total` is the count so far. */
  onDrop?(node: string, input: string, total: number): void;
  /** Every local node has exited. */
  onFinish?(summary: RunSummary): void;
}

/** Options of {@linkcode DataflowRuntime}. */
export interface RuntimeOptions {
  dataflow: Dataflow;
  /** Defaults to a new UUIDv7. */
  dataflowId?: string;
  /** Node ids spawned here (default: all). Others are remote. */
  localNodes?: string[];
  /** Allow `path: shell` nodes (default: `DORA_ALLOW_SHELL_NODES`). */
  allowShellNodes?: boolean;
  /** The uv executable (`--uv`): Python nodes run with `uv run python`. */
  uv?: string;
  /** Reload Python and TypeScript operators when their files change (`--hot-reload`). */
  hotReload?: boolean;
  /**
   * The zenoh bridge (`ws/HOST:PORT`) the built-in zenoh nodes connect to
   * when their `zenoh.endpoint` does not say (default `ws/127.0.0.1:10000`).
   */
  zenohEndpoint?: string;
  /** Grace period of the stop ladder in ms (default 10 000). */
  graceMs?: number;
  /**
   * Nodes that get no STOP when the dataflow is stopped: they receive
   * everything the other nodes sent before exiting and end when their inputs
   * close (a recorder). The grace period's SIGTERM still applies to them.
   */
  drainOnStop?: string[];
  /** Folder holding `<uuid>/log_*.jsonl` (default `<workingDir>/out`). */
  outDir?: string;
  /** Don't release the ready barrier alone; wait for `releaseBarrier()`. */
  externalBarrier?: boolean;
  /**
   * Nodes on this machine exchange messages directly, without the runtime
   * on the way (default: true unless `DORA_DIRECT=0`).
   */
  direct?: boolean;
  /** An output of a local node has receivers on other machines. */
  /**
   * The transport carries credits: backpressure inputs on other machines
   * hold local senders back (see delivery/remote_credits.ts).
   */
  remoteCredits?: boolean;
  /**
   * Credits to grant: `n` messages of local-machine-remote node `from` left
   * the queue of `input` of local node `receiver` (send them to `from`'s
   * machine).
   */
  onRemoteCredit?(
    from: string,
    receiver: string,
    input: string,
    n: number,
  ): void;
  onRemoteOutput?(msg: RemoteMessage): void;
  /**
   * A node asked for the whole dataflow to stop (an operator's `STOP_ALL`);
   * default: stop this runtime. A daemon passes it to the coordinator.
   */
  onStopRequest?(node: string): void;
  /** Outputs of a local node with remote receivers closed. */
  onRemoteOutputsClosed?(node: string, outputs: string[]): void;
  /**
   * Apply the descriptor's fault-tolerance settings (restart policies,
   * health checks, input timeouts) through `src/fault`. Default: true;
   * ignored when `decideRestart` is given.
   */
  faultTolerance?: boolean;
  /**
   * Decides whether to restart a node whose process ended while the dataflow
   * runs (fault-tolerance policies). Default: never.
   */
  decideRestart?(
    info: NodeExitInfo,
  ): RestartDecision | Promise<RestartDecision>;
  events?: RuntimeEvents;
  /**
   * Records spans of the runtime's work (start, spawns, restarts, stop) for
   * `dora trace`.
   */
  tracer?: Tracer;
  /** The coordinator's span this runtime's start belongs to. */
  traceParent?: SpanContext;
}
