/**
 * How nodes and runs end: exits and restarts, what ends with a process, the
 * stop ladder (STOP → grace → SIGTERM → SIGKILL, `stop_ladder.ts`), the end
 * of a run and its summary.
 *
 * @module
 */
export * from "./stop_ladder.ts";
export * from "./summary.ts";
