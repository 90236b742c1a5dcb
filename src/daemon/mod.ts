/**
 * The dataflow runtime ("daemon" role): spawns and supervises local nodes,
 * routes messages between them through per-input queues, drives timers after
 * the ready barrier, captures logs, and stops dataflows with the stop ladder.
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
export type * from "./runtime_types.ts";
export {
  exitText,
  formatSummary,
  type NodeOutcome,
  type NodeSummary,
  type RunSummary,
  trafficText,
} from "./summary.ts";
export {
  planSpawn,
  RESERVED_ENV,
  type SpawnContext,
  SpawnError,
  type SpawnPlan,
} from "./spawn_command.ts";
export { type NodeExitStatus, NodeProcess } from "./node_process.ts";
export { BACKPRESSURE_FACTOR, ReceiverQueue } from "./receiver_queue.ts";
export { parsePermissionViolation, permissionFlags } from "./permissions.ts";
export { ShellWordsError, splitShellWords } from "./shell_words.ts";
export { parseDuration } from "./duration.ts";
export { TimerHub } from "./timers.ts";
export { ShmTracker } from "./shm_tracker.ts";
export { runtimeBase, sweepStale } from "./runtime_dir.ts";
