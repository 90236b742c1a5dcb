/**
 * The contract between the runtime and the fault supervisor: what
 * the supervisor may do ({@linkcode FaultHost}) and what it answers.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { DataflowTimeouts } from "./settings.ts";

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
  /**
   * Ends one node whose STOP and grace (`graceMs`) are spent with the stop
   * ladder's last steps: SIGTERM, then SIGKILL after half the grace.
   */
  stopNode(node: string, reason: string, graceMs: number): void;
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

/** Options for the `FaultSupervisor`. */
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
