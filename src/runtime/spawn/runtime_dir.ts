/**
 * The private runtime folder of a dataflow (socket, import map): under
 * `$XDG_RUNTIME_DIR/dora/` or `/tmp/dora-<uid>/`, mode 0700, one sub-folder
 * per dataflow holding the owner's pid, removed at the end. Start-up (and
 * `dora clean`) also sweeps folders, `/dev/shm/dora-*` regions and discovery
 * sockets left by dead runs.
 *
 * @module
 */

/** The base folder for all dataflows of this user. */
export function runtimeBase(): string {
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  if (xdg) return `${xdg}/dora`;
  return `/tmp/dora-${Deno.uid() ?? "user"}`;
}

/** Creates the folder of dataflow `id` and returns its path. */
export function createRuntimeDir(id: string): string {
  const base = runtimeBase();
  Deno.mkdirSync(base, { recursive: true, mode: 0o700 });
  try {
    Deno.chmodSync(base, 0o700);
  } catch {
    // not ours to change: the per-dataflow folder is still private
  }
  const dir = `${base}/${id}`;
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  Deno.writeTextFileSync(`${dir}/owner.pid`, String(Deno.pid));
  return dir;
}

/** Removes a dataflow's runtime folder. */
export function removeRuntimeDir(dir: string): void {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** What {@link sweepLeftovers} removed. */
export interface Leftovers {
  /** Runtime folders of dead runs. */
  folders: string[];
  /** Their shared-memory regions (`/dev/shm/dora-<id>-…`). */
  regions: string[];
  /** Discovery sockets of dead daemons. */
  sockets: string[];
}

/**
 * Removes what dead runs of this user left (runs killed with their
 * watchdog): runtime folders whose owner process is dead, here and in the
 * per-machine folders of daemons (`machine-<id>/dora`), the shared-memory
 * regions of those dataflows, and the discovery sockets of dead daemons.
 * Only runs known to be dead are touched, so live runs are safe.
 */
export function sweepLeftovers(base = runtimeBase()): Leftovers {
  const out: Leftovers = { folders: [], regions: [], sockets: [] };
  const dead: string[] = [];
  const bases = [base];
  try {
    for (const entry of Deno.readDirSync(base)) {
      if (entry.isDirectory && entry.name.startsWith("machine-")) {
        bases.push(`${base}/${entry.name}/dora`);
      }
      const sock = /^daemon-.+-(\d+)\.sock$/.exec(entry.name);
      if (sock && !alive(Number(sock[1]))) {
        try {
          Deno.removeSync(`${base}/${entry.name}`);
          out.sockets.push(`${base}/${entry.name}`);
        } catch {
          // someone else removed it
        }
      }
    }
  } catch {
    // no base folder yet
  }
  for (const b of bases) {
    try {
      for (const entry of Deno.readDirSync(b)) {
        if (!entry.isDirectory || entry.name.startsWith("machine-")) continue;
        const dir = `${b}/${entry.name}`;
        let pid = NaN;
        try {
          pid = Number(Deno.readTextFileSync(`${dir}/owner.pid`));
        } catch {
          continue; // being created right now
        }
        // An empty file is one being written right now (pid 0): not stale.
        if (Number.isFinite(pid) && pid > 0 && !alive(pid)) {
          dead.push(entry.name);
          removeRuntimeDir(dir);
          out.folders.push(dir);
        }
      }
    } catch {
      // no such folder
    }
  }
  if (dead.length === 0) return out;
  try {
    for (const entry of Deno.readDirSync("/dev/shm")) {
      const m = /^dora-([0-9a-fA-F]+)-/.exec(entry.name);
      if (!m || !dead.some((id) => shmPrefixMatches(id, m[1]!))) continue;
      try {
        Deno.removeSync(`/dev/shm/${entry.name}`);
        out.regions.push(`/dev/shm/${entry.name}`);
      } catch {
        // someone else removed it
      }
    }
  } catch {
    // no /dev/shm
  }
  return out;
}

/** {@link sweepLeftovers}, as one list of removed paths. */
export function sweepStale(): string[] {
  const l = sweepLeftovers();
  return [...l.folders, ...l.regions, ...l.sockets];
}

/** `dora-<id as 32 hex digits>-`: the start of every region name of dataflow `id`. */
export function regionsPrefix(id: string): string {
  return `dora-${id.replace(/-/g, "").toLowerCase()}-`;
}

/** Whether a region prefix (hex, at least 8 digits) belongs to dataflow `id`. */
export function shmPrefixMatches(id: string, prefix: string): boolean {
  const hex = id.replace(/-/g, "").toLowerCase();
  const p = prefix.toLowerCase();
  return p.length >= 8 && hex.startsWith(p);
}

/** Unlinks shared-memory regions by POSIX name (`/dora-…`). */
export function unlinkShm(names: Iterable<string>): void {
  for (const name of names) {
    try {
      Deno.removeSync(`/dev/shm/${name.replace(/^\//, "")}`);
    } catch {
      // already unlinked by its owner
    }
  }
}
