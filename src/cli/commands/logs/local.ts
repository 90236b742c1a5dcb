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
  logFilesOf,
  type LogRecord,
  LogTailer,
  parseStoredRecord,
  readRunLogs,
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
    // Rotated files, oldest first; those from the open one on (it may have
    // been rotated since it was opened) are the tailer's to read.
    const rotated = (await logFilesOf(run.path, n)).filter((f) =>
      f !== logFilePath(run.path, n, 0)
    );
    const inodes = await Promise.all(
      rotated.map((f) => Deno.stat(f).then((st) => st.ino, () => null)),
    );
    const at = inodes.findIndex((ino) => ino !== null && open.has(ino));
    for (const file of at >= 0 ? rotated.slice(0, at) : rotated) {
      try {
        records.push(...parseRecords(await Deno.readTextFile(file)));
      } catch {
        // removed meanwhile (beyond max_rotated_files)
      }
    }
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
