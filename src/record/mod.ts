/**
 * Record and replay on MCAP (docs/record-replay.md): the MCAP writer and
 * reader, Arrow IPC messages, the recorder's core, the descriptor rewrites of
 * `dora record` and `dora replay`, the regression check and recording
 * summaries. The recorder and replay node programs live in `nodes/record/`.
 *
 * @module
 */
export * from "./format.ts";
export * from "./arrow_ipc.ts";
export * from "./mcap/compression.ts";
export * from "./mcap/writer.ts";
export * from "./mcap/scanner.ts";
export * from "./recording.ts";
export * from "./record_plan.ts";
export { appendMetadata } from "./append.ts";
export * from "./replay_plan.ts";
export * from "./check.ts";
export * from "./recorder.ts";
export * from "./tap_record.ts";
