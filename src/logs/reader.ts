/**
 * Reading and filtering stored logs under `out/`: the pipeline behind
 * `dora logs --local`, reusable for remote logs (filter, then tail).
 *
 * @module
 */
import { passesLevel } from "./levels.ts";
import type { LogFilter, LogLevel } from "./levels.ts";
import { parseStoredRecord } from "./record.ts";
import type { LogRecord } from "./record.ts";

/** One dataflow run found in an `out/` folder. */
export interface RunDir {
  /** The dataflow UUID (folder name). */
  id: string;
  path: string;
  /** Last modification, ms since the epoch. */
  mtime: number;
}

const UUID_RE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The runs in `outDir`, oldest first; empty when the folder is missing. */
export async function listRuns(outDir: string): Promise<RunDir[]> {
  const runs: RunDir[] = [];
  try {
    for await (const entry of Deno.readDir(outDir)) {
      if (!entry.isDirectory || !UUID_RE.test(entry.name)) continue;
      const path = `${outDir}/${entry.name}`;
      const info = await Deno.stat(path);
      runs.push({ id: entry.name, path, mtime: info.mtime?.getTime() ?? 0 });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  // UUIDv7 ids sort by creation time; mtime breaks ties for other ids.
  return runs.sort((a, b) => a.mtime - b.mtime || a.id.localeCompare(b.id));
}

/** Node ids that have log files in a run folder. */
export async function listLogNodes(runDir: string): Promise<string[]> {
  const nodes = new Set<string>();
  for await (const entry of Deno.readDir(runDir)) {
    const m = /^log_(.+?)(?:\.\d+)?\.jsonl$/.exec(entry.name);
    if (entry.isFile && m) nodes.add(m[1]!);
  }
  return [...nodes].sort();
}

/** A node's log files, oldest first (rotated `.N` … `.1`, then current). */
export async function logFilesOf(
  runDir: string,
  node: string,
): Promise<string[]> {
  const rotated: [number, string][] = [];
  let current: string | undefined;
  const prefix = `log_${node}.`;
  for await (const entry of Deno.readDir(runDir)) {
    if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
    const rest = entry.name.slice(prefix.length);
    if (rest === "jsonl") current = `${runDir}/${entry.name}`;
    const m = /^(\d+)\.jsonl$/.exec(rest);
    if (m) rotated.push([Number(m[1]), `${runDir}/${entry.name}`]);
  }
  rotated.sort((a, b) => b[0] - a[0]);
  return [...rotated.map(([, p]) => p), ...(current ? [current] : [])];
}

/**
 * Reads every record of `nodes` in a run, merged in timestamp order. Safe
 * while the node logs and its files rotate: each file is opened (a rename
 * does not move what an open descriptor reads) and the folder is listed
 * again until no new file shows up, so no file is read twice or missed.
 */
export async function readRunLogs(
  runDir: string,
  nodes: string[],
): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for (const node of nodes) {
    for (const file of await openLogFiles(runDir, node)) {
      try {
        const text = new TextDecoder().decode(await readAll(file));
        for (const line of text.split("\n")) {
          if (line === "") continue;
          const record = parseStoredRecord(line);
          if (record) all.push(record);
        }
      } finally {
        file.close();
      }
    }
  }
  // Stable sort: lines of one node with equal timestamps keep file order.
  return all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/** Every log file of `node`, each opened once (by inode), see {@link readRunLogs}. */
async function openLogFiles(
  runDir: string,
  node: string,
): Promise<Deno.FsFile[]> {
  const seen = new Set<number>();
  const files: Deno.FsFile[] = [];
  for (let pass = 0; pass < 20; pass++) {
    let added = false;
    for (const path of await logFilesOf(runDir, node)) {
      let file: Deno.FsFile;
      try {
        file = await Deno.open(path, { read: true });
      } catch {
        continue; // rotated away between the listing and the open
      }
      const ino = (await file.stat()).ino ?? -1;
      if (seen.has(ino)) {
        file.close();
        continue;
      }
      seen.add(ino);
      files.push(file);
      added = true;
    }
    if (!added) break;
  }
  return files;
}

/** The rest of an open file. */
async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const buf = new Uint8Array(256 * 1024);
    const n = await file.read(buf);
    if (n === null) break;
    chunks.push(buf.subarray(0, n));
    size += n;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Criteria for {@linkcode filterRecords}. */
export interface LogQuery {
  /** Minimum level (default `stdout` = everything). */
  level?: LogLevel;
  /** Per-node level overrides. */
  filter?: LogFilter;
  /** Only records at or after this time (ms since the epoch). */
  since?: number;
  /** Only records at or before this time (ms since the epoch). */
  until?: number;
  /** Case-insensitive substring of the message, target or fields. */
  grep?: string;
  /** Keep only the last N records after filtering. */
  tail?: number;
}

/** Applies a query: filters first, then keeps the last `tail` records. */
export function filterRecords(
  records: LogRecord[],
  query: LogQuery,
): LogRecord[] {
  const grep = query.grep?.toLowerCase();
  const out = records.filter((r) => {
    const min = query.filter?.get(r.node) ?? query.level ?? "stdout";
    if (!passesLevel(r.level, min)) return false;
    const t = Date.parse(r.ts);
    if (query.since !== undefined && t < query.since) return false;
    if (query.until !== undefined && t > query.until) return false;
    if (grep !== undefined) {
      const hay = `${r.msg} ${r.target ?? ""} ${
        r.fields ? JSON.stringify(r.fields) : ""
      }`.toLowerCase();
      if (!hay.includes(grep)) return false;
    }
    return true;
  });
  return query.tail !== undefined ? out.slice(-query.tail || out.length) : out;
}
