/**
 * What the daemon role needs from the per-dataflow runtime (`src/daemon`):
 * launch a dataflow's local nodes, stop them, report pids and results, and
 * exchange messages with nodes on other daemons.
 *
 * @module
 */
import type {
  DataAddress,
  SpawnParams,
} from "../control/coordinator_daemon.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { NodeParams, ParamValue } from "../descriptor/node_params.ts";
import type { FaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";
import type { InterDaemonMessage } from "../transport/types.ts";
import type { DataflowRuntime, GraphChangeSummary } from "../runtime/mod.ts";
import type { DaemonGraphChange } from "../control/changes.ts";
import type {
  NodeCounters,
  SpanContext,
  TapSource,
  Tracer,
} from "../inspect/mod.ts";

/** A dataflow whose local nodes run on this daemon. */
export interface HostedDataflow {
  readonly uuid: string;
  /** The current graph (changes at run time included). */
  readonly descriptor: Dataflow;
  /** Folder holding `log_<node>.jsonl` files. */
  readonly logDir: string;
  /** Resolves with every local node's result once they all ended. */
  readonly finished: Promise<Record<string, NodeResult>>;
  /** Stop ladder: Stop → grace → SIGTERM → SIGKILL (`force` kills now). */
  stop(opts: { graceMs?: number; force?: boolean; trace?: SpanContext }): void;
  /** Every daemon is ready: start timers and answer `ready` to nodes. */
  release(): void;
  /**
   * Fault counters of the local nodes (live while running, final once
   * `finished` resolved); undefined without fault tolerance.
   */
  faultSummary(): FaultSummary | undefined;
  /** Pids of the running local node processes. */
  pids(): number[];
  /** Counters of the local nodes now (`dora top`, `dora node info`). */
  nodeCounters(): NodeCounters[];
  /** Bytes each local node's messages sent to / received from other daemons. */
  network(): Map<string, { sent: number; received: number }>;
  /** The message tap of the local nodes' outputs (`dora topic`). */
  readonly tap: TapSource;
  /** Hands a message from another daemon to the local receivers. */
  deliver(msg: InterDaemonMessage, payload: Uint8Array | null): void;
  /**
   * Daemon `daemonId` was lost for good: its nodes fail for the local
   * receivers (NODE_FAILED, then INPUT_CLOSED).
   */
  peerLost(daemonId: string): void;
  /** `DORA_NODE_CONFIG` for a `path: dynamic` node, if this dataflow declares it locally. */
  dynamicConfig(nodeId: string): Record<string, unknown> | undefined;
  /**
   * The local route table at run time (see `DataflowRuntime`): taps on
   * outputs, injected messages, routes added and removed.
   */
  readonly routes?: Pick<
    DataflowRuntime,
    "subscribe" | "inject" | "routeTable" | "addRoute" | "removeRoute"
  >;
  /** Current runtime parameters of the local nodes (node id → key → value). */
  params(): Record<string, NodeParams>;
  /** Sets a local node's parameter; true when the running node was told. */
  setParam(node: string, key: string, value: ParamValue): boolean;
  /** Deletes a local node's parameter; false when it had none. */
  deleteParam(node: string, key: string): boolean;
  /** Makes a local node's parameters equal to `params`. */
  syncParams(node: string, params: NodeParams): void;
  /** `dora node restart` of a local node (its stop ladder, then a new process). */
  restartNode(node: string, graceMs?: number): void;
  /** `dora node stop` of a local node. */
  stopNode(node: string, graceMs?: number): void;
  /** Whether a graph change can be made here (throws naming the node if not). */
  checkGraph(change: DaemonGraphChange): Promise<void>;
  /** Makes a graph change here (see `src/runtime/graph_change.ts`). */
  applyGraph(change: DaemonGraphChange): Promise<GraphChangeSummary>;
}

/** Callbacks the host gives a launched dataflow. */
export interface HostHooks {
  /** This daemon's id. */
  daemonId: string;
  /** All local nodes connected (the local half of the ready barrier). */
  onReady(): void;
  /**
   * A local node asked for the whole dataflow to stop (an operator's
   * `STOP_ALL`); without it the local part stops.
   */
  onStopRequest?(node: string): void;
  /**
   * Sends a message to the daemon `daemonId` (order per peer is preserved).
   * Never throws: a broken link is reported and its messages are dropped.
   */
  /** The transport carries credits (see DataTransport.credits). */
  credits?: boolean;
  sendRemote(
    daemonId: string,
    msg: InterDaemonMessage,
    payload: Uint8Array | null,
  ): void;
  /** Peers' data addresses. */
  peers: Record<string, DataAddress>;
  /** The zenoh bridge of open data and zenoh nodes (`ws/HOST:PORT`). */
  zenohEndpoint?: string;
  /** Open data must reach `zenohEndpoint` (see `AgentOptions.zenohRequired`). */
  zenohRequired?: boolean;
  /** Reports a problem of this dataflow in the daemon's log. */
  log?(message: string): void;
  /** Records the spans of the runtime's work. */
  tracer?: Tracer;
}

/** Starts a dataflow's local part. */
export type LaunchDataflow = (
  params: SpawnParams & { descriptor: Dataflow },
  hooks: HostHooks,
) => Promise<HostedDataflow>;
