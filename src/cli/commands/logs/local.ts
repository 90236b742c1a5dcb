/**
 * `dora logs --local`: read the `out/` folder written by `dora run`.
 *
 * @module
 */
import { useColor, writeLines } from "../../_output.ts";
import {
  filterRecords,
  formatRecord,
  listLogNodes,
  listRuns,
  logFilePath,
  type LogRecord,
  LogTailer,
  parseStoredRecord,
  readRest,
  readRunLogs,
  snapshotLogFiles,
} from "../../../logs/mod.ts";
import { CliError, UsageError } from "../../errors.ts";
import { type LogsOptions, logsQuery } from "./query.ts";

/** `dora logs --local`: read `out/<uuid>/log_*.jsonl`. */
export async function showLocalLogs(
  first: string | undefined,
  second: string | undefined,
  opts: LogsOptions,
): Promise<void> {
  const { query, format } = logsQuery(opts);
  const outDir = opts.outDir ?? "out";
  const runs = await listRuns(outDir);
  if (runs.length === 0) {
    throw new CliError(
      `no dataflow logs in ${outDir}/ (run \`dora run\` in this folder first)`,
    );
  }
  let run = runs[runs.length - 1]!;
  let node = second;
  if (first !== undefined) {
    const match = runs.filter((r) => r.id === first || r.id.startsWith(first));
    if (match.length > 0) run = match[match.length - 1]!;
    else if (second === undefined) node = first;
    else throw new CliError(`no dataflow "${first}" in ${outDir}/`);
  }
  const available = await listLogNodes(run.path);
  let nodes: string[];
  if (opts.allNodes) nodes = available;
  else if (node === undefined) {
    throw new UsageError(
      `name a node or pass --all-nodes (nodes of ${run.id}: ${
        available.join(", ") || "none"
      })`,
    );
  } else if (!available.includes(node)) {
    throw new CliError(
      `node "${node}" has no logs in ${run.path} (nodes: ${
        available.join(", ") || "none"
      })`,
    );
  } else nodes = [node];
  const color = useColor();
  const print = (lines: string[]) => writeLines(lines);
  const show = (records: LogRecord[]) =>
    print(
      records.map((r) =>
        formatRecord(r, format, { color, extra: { dataflow_id: run.id } })
      ),
    );
  if (!opts.follow) {
    show(filterRecords(await readRunLogs(run.path, nodes), query));
    return;
  }
  // Follow: each current file stays open from its start and is read on as
  // it grows (never from the start again); older rotated files are read
  // once.
  const tailer = new LogTailer(run.path, nodes, { fromStart: true });
  const open = tailer.openInodes();
  const records: LogRecord[] = [];
  for (const n of nodes) {
    // Rotated files older than the open one (it may have been rotated since
    // it was opened: the tailer reads it and what came after it).
    const snap = await snapshotLogFiles(
      logFilePath(run.path, n, 0),
      (i) => logFilePath(run.path, n, i),
    );
    const at = snap.rotated.findIndex((f) => f.ino !== null && open.has(f.ino));
    for (const [i, f] of snap.rotated.entries()) {
      if (at < 0 || i < at) {
        records.push(...parseRecords(await readRest(f.file)));
      }
      f.file.close();
    }
    snap.current?.file.close();
  }
  for (let batch = await tailer.read(); batch.length > 0;) {
    records.push(...batch);
    batch = await tailer.read();
  }
  records.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  show(filterRecords(records, query));
  const live = { ...query, tail: undefined };
  tailer.follow((r) => show(filterRecords([r], live)));
  // Until Ctrl-C.
  await new Promise(() => {});
}

/** The records of a log file's text (lines that are not records are skipped). */
function parseRecords(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of text.split("\n")) {
    const r = line ? parseStoredRecord(line) : undefined;
    if (r) out.push(r);
  }
  return out;
}
