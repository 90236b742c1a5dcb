/**
 * The dataflow runtime: one dataflow on one machine. It spawns and supervises
 * the local nodes (`spawn/`), routes messages between them through per-input
 * queues (`delivery/`), accounts for shared-memory tokens (`shm/`), drives
 * timers after the ready barrier, captures logs, and ends the run with the
 * stop ladder and a summary (`ending/`).
 * `dora run` is the CLI plus one in-process {@linkcode DataflowRuntime};
 * `dora daemon` runs one per dataflow and wires the remote hooks.
 *
 * @example
 * ```ts
 * import { DataflowRuntime, formatSummary } from "./mod.ts";
 * import { loadDataflow } from "../descriptor/mod.ts";
 *
 * const { dataflow } = await loadDataflow("dataflow.yml");
 * const runtime = new DataflowRuntime({
 *   dataflow,
 *   graceMs: 5_000,
 *   events: { onLog: (r) => console.log(`${r.node}: ${r.msg}`) },
 * });
 * await runtime.start(); // throws SpawnError before anything starts
 * Deno.addSignalListener("SIGINT", () => runtime.stop());
 * const summary = await runtime.finished;
 * console.log(formatSummary(summary).join("\n"));
 * ```
 *
 * @module
 */
export { DataflowRuntime } from "./runtime.ts";
export { type RuntimeChangeCode, RuntimeChangeError } from "./change_error.ts";
export { InjectError } from "../inspect/tap.ts";
export type * from "./options.ts";
export {
  formatSummary,
  type NodeOutcome,
  type NodeSummary,
  type RunSummary,
  trafficText,
} from "./ending/summary.ts";
export {
  planSpawn,
  type SpawnContext,
  SpawnError,
  type SpawnPlan,
} from "./spawn/spawn_plan.ts";
export { type NodeExitStatus, NodeProcess } from "./spawn/node_process.ts";
export {
  BACKPRESSURE_FACTOR,
  ReceiverQueue,
} from "./delivery/receiver_queue.ts";
export {
  parsePermissionViolation,
  permissionFlags,
} from "./spawn/permissions.ts";
export { ShellWordsError, splitShellWords } from "./spawn/shell_words.ts";
export { TimerHub } from "./timers.ts";
export { ShmTracker } from "./shm/shm_tracker.ts";
export {
  type Leftovers,
  runtimeBase,
  sweepLeftovers,
  sweepStale,
} from "./spawn/runtime_dir.ts";
export {
  type InjectedMessage,
  type NewInputSettings,
  RouteError,
  type RouteInfo,
  type RouteSpec,
} from "./delivery/route_changes.ts";
export { Tap, type TapMessage, type TapOptions } from "./delivery/taps.ts";
export { OpenDataPublisher } from "./open_data.ts";
