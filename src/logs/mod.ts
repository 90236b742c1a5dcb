/**
 * Node logs: the record format stored in `out/<dataflow-uuid>/log_<node>.jsonl`,
 * level rules, the rotating writer used by the runtime, console formats, and
 * the reader/filter pipeline behind `dora logs`.
 *
 * @example
 * ```ts
 * import { filterRecords, listRuns, readRunLogs } from "./mod.ts";
 * const [run] = (await listRuns("out")).slice(-1);
 * const records = await readRunLogs(run.path, ["sender"]);
 * filterRecords(records, { level: "info", tail: 10 });
 * ```
 *
 * @module
 */
export * from "./levels.ts";
export * from "./record.ts";
export * from "./writer.ts";
export * from "./format.ts";
export * from "./reader.ts";
export {
  type LogFilesSnapshot,
  LogTailer,
  type OpenLogFile,
  readRest,
  snapshotLogFiles,
} from "./tail.ts";
