/**
 * The private runtime folder of a dataflow (socket, import map): under
 * `$XDG_RUNTIME_DIR/dora/` or `/tmp/dora-<uid>/`, mode 0700, one sub-folder
 * per dataflow holding the owner's pid, removed at the end. Start-up also
 * sweeps folders and `/dev/shm/dora-*` regions left by dead runs.
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

/**
 * Removes runtime folders whose owner process is dead, and the
 * `/dev/shm/dora-<id prefix>-*` regions of those dead dataflows (only runs
 * known to be dead are touched, so live runs elsewhere are safe). Returns the
 * paths removed.
 */
export function sweepStale(): string[] {
  const base = runtimeBase();
  const dead: string[] = [];
  const removed: string[] = [];
  try {
    for (const entry of Deno.readDirSync(base)) {
      if (!entry.isDirectory) continue;
      const dir = `${base}/${entry.name}`;
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
        removed.push(dir);
      }
    }
  } catch {
    // no base folder yet
  }
  if (dead.length === 0) return removed;
  try {
    for (const entry of Deno.readDirSync("/dev/shm")) {
      const m = /^dora-([0-9a-fA-F]+)-/.exec(entry.name);
      if (!m || !dead.some((id) => shmPrefixMatches(id, m[1]!))) continue;
      try {
        Deno.removeSync(`/dev/shm/${entry.name}`);
        removed.push(`/dev/shm/${entry.name}`);
      } catch {
        // someone else removed it
      }
    }
  } catch {
    // no /dev/shm
  }
  return removed;
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
