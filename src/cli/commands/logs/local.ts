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
  let records = filterRecords(await readRunLogs(run.path, nodes), query);
  print(
    records.map((r) =>
      formatRecord(r, format, { color, extra: { dataflow_id: run.id } })
    ),
  );
  if (!opts.follow) return;
  // Follow: poll, print records newer than the last one seen.
  let last = records.length > 0 ? records[records.length - 1]!.ts : "";
  let seen = new Set(
    records.filter((r) => r.ts === last).map((r) => JSON.stringify(r)),
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    records = filterRecords(await readRunLogs(run.path, nodes), {
      ...query,
      tail: undefined,
    });
    const fresh = records.filter((r) =>
      r.ts > last || (r.ts === last && !seen.has(JSON.stringify(r)))
    );
    print(
      fresh.map((r) =>
        formatRecord(r, format, { color, extra: { dataflow_id: run.id } })
      ),
    );
    if (fresh.length > 0) {
      last = fresh[fresh.length - 1]!.ts;
      seen = new Set(
        records.filter((r) => r.ts === last).map((r) => JSON.stringify(r)),
      );
    }
  }
}
