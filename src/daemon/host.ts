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
import type { FaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";
import type { InterDaemonMessage } from "../transport/types.ts";
import type {
  NodeCounters,
  SpanContext,
  TapSource,
  Tracer,
} from "../inspect/mod.ts";

/** A dataflow whose local nodes run on this daemon. */
export interface HostedDataflow {
  readonly uuid: string;
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
  /** `DORA_NODE_CONFIG` for a `path: dynamic` node, if this dataflow declares it locally. */
  dynamicConfig(nodeId: string): Record<string, unknown> | undefined;
}

/** Callbacks the host gives a launched dataflow. */
export interface HostHooks {
  /** This daemon's id. */
  daemonId: string;
  /** All local nodes connected (the local half of the ready barrier). */
  onReady(): void;
  /** Sends a message to the daemon `daemonId` (order per peer is preserved). */
  sendRemote(
    daemonId: string,
    msg: InterDaemonMessage,
    payload: Uint8Array | null,
  ): void;
  /** Peers' data addresses. */
  peers: Record<string, DataAddress>;
  /** Records the spans of the runtime's work. */
  tracer?: Tracer;
}

/** Starts a dataflow's local part. */
export type LaunchDataflow = (
  params: SpawnParams & { descriptor: Dataflow },
  hooks: HostHooks,
) => Promise<HostedDataflow>;
