/**
 * How a `dora run` announces its local inspection endpoint: a loopback
 * WebSocket serving the same inspection methods as a coordinator, whose
 * address and bearer token are written to `inspect.json` in the run's
 * private runtime folder (mode 0700, the file 0600), so only the same user
 * can reach it. The CLI finds running `dora run`s by reading these files.
 *
 * @module
 */

/** The name of the announce file inside a dataflow's runtime folder. */
export const ANNOUNCE_FILE = "inspect.json";

/** What a `dora run` writes about its endpoint. */
export interface LocalAnnounce {
  uuid: string;
  /** The dataflow's name (the descriptor file's stem, or `--name`). */
  name: string;
  /** Absolute path of the descriptor. */
  path: string;
  /** The `dora run` process. */
  pid: number;
  addr: string;
  port: number;
  token: string;
  /** ms since the Unix epoch. */
  startedAt: number;
}

/** Writes the announce file (0600) into `dir`. */
export function writeAnnounce(dir: string, announce: LocalAnnounce): string {
  const path = `${dir}/${ANNOUNCE_FILE}`;
  const tmp = `${path}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(announce) + "\n", { mode: 0o600 });
  Deno.renameSync(tmp, path);
  return path;
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/**
 * The endpoints announced under `base` (the runtime base folder) whose
 * `dora run` is still alive, oldest first.
 */
export function readAnnounces(base: string): LocalAnnounce[] {
  const out: LocalAnnounce[] = [];
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(base);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory) continue;
    try {
      const a = JSON.parse(
        Deno.readTextFileSync(`${base}/${e.name}/${ANNOUNCE_FILE}`),
      ) as LocalAnnounce;
      if (
        typeof a.uuid === "string" && typeof a.port === "number" &&
        typeof a.token === "string" && alive(a.pid)
      ) out.push(a);
    } catch {
      // no endpoint there (a daemon's dataflow, or one starting)
    }
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}
