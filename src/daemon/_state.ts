/**
 * The long-lived state of a daemon, shared by the files that implement its
 * parts (spawning, requests, log following, reports).
 *
 * @module
 */
import type {
  DataAddress,
  SpawnParams,
} from "../control/coordinator_daemon.ts";
import type { Peer } from "../control/peer.ts";
import type { CoordinatorTarget } from "../control/target.ts";
import type { NodeResult } from "../store/types.ts";
import type { DataTransport } from "../transport/types.ts";
import type { HostedDataflow, LaunchDataflow } from "./host.ts";
import type { NodeMetrics, TapHub, Tracer } from "../inspect/mod.ts";
import type { LogTailer } from "../logs/mod.ts";

/** Finished dataflows a daemon remembers (to serve their logs). */
const KEEP_FINISHED = 200;

/** Settings of a daemon. */
export interface AgentOptions {
  machineId?: string;
  labels: Record<string, string>;
  target: CoordinatorTarget;
  /**
   * How long the daemon runs without its coordinator, once it had one,
   * before it stops its dataflows and exits (0: forever).
   */
  coordinatorTimeoutMs?: number;
  /** Address the data transport listens on (and advertises). */
  interface: string;
  /** Port of the data transport (0 or absent: any free port). */
  dataPort?: number;
  /** The coordinator's token (default: looked up at each connect). */
  token?: string;
  transport: DataTransport;
  /**
   * The zenoh bridge (`ws/HOST:PORT`) of open data and of the built-in
   * zenoh nodes (default `ws/127.0.0.1:10000`).
   */
  zenohEndpoint?: string;
  /**
   * The endpoint was configured (or the transport is zenoh): open data must
   * reach it. Otherwise a dataflow with the message tap on runs without
   * open data when no bridge answers there.
   */
  zenohRequired?: boolean;
  launch: LaunchDataflow;
  log: (message: string) => void;
}

/** A dataflow this daemon runs or ran. */
export interface Entry {
  hosted: HostedDataflow;
  params: SpawnParams;
  results?: Record<string, NodeResult>;
  /** The coordinator has been told it finished. */
  reported: boolean;
  ready: boolean;
  released: boolean;
  startedAt: number;
}

/** Everything a daemon holds; internal to src/daemon. */
export interface AgentState {
  readonly opts: AgentOptions;
  readonly dataflows: Map<string, Entry>;
  daemonId: string;
  /** The coordinator link, while up. */
  peer?: Peer;
  /** Samples of the local nodes (`dora top`, `node info`, `list`). */
  readonly metrics: NodeMetrics;
  /** Spans of this daemon's work (`dora trace`). */
  readonly tracer: Tracer;
  /** Message taps the coordinator asked for (`dora topic`). */
  readonly hub: TapHub;
  /** Log subscriptions of the current coordinator link, by dataflow. */
  readonly tailers: Map<string, LogTailer>;
  /** Data addresses of the other daemons, by dataflow. */
  readonly peers: Map<string, Map<string, DataAddress>>;
  /** `release` that arrived while the dataflow was still launching. */
  readonly earlyRelease: Set<string>;
}

/** Keeps at most {@link KEEP_FINISHED} finished dataflows (for `logs`). */
export function prune(dataflows: Map<string, Entry>): void {
  const done = [...dataflows.values()].filter((e) => e.results && e.reported);
  for (const e of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) {
    dataflows.delete(e.params.uuid);
  }
}
