/**
 * Resource usage of node processes from `/proc` (Linux): CPU as percent of
 * one core (so several busy cores exceed 100 %), resident memory, and disk
 * I/O rates, each summed over the node's process and its descendants
 * (wrappers such as `sh -c` or `uv run` included).
 *
 * @module
 */

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** What one sample says about one node. */
export interface ProcUsage {
  /** Percent of one core used since the previous sample (0 on the first). */
  cpu: number;
  /** Resident set size in bytes. */
  memoryBytes: number;
  /** Storage bytes read / written per second since the previous sample; undefined when `/proc/<pid>/io` is not readable. */
  diskReadBytesPerSec?: number;
  diskWriteBytesPerSec?: number;
  /** The pids counted (the node's process first). */
  pids: number[];
}

interface PidCounters {
  ticks: number;
  read?: number;
  write?: number;
}

interface Previous {
  at: number;
  counters: Map<number, PidCounters>;
}

/** The parent → children map of every process, from `/proc/<pid>/stat`. */
export function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return children; // no /proc
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(e.name));
      else children.set(ppid, [Number(e.name)]);
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/**
 * The children of `pid` from `/proc/<pid>/task/<tid>/children` (a child is
 * listed under the thread that started it): a few small reads instead of a
 * scan of every process. Undefined when the kernel has no such files.
 */
function childrenOf(pid: number): number[] | undefined {
  const out: number[] = [];
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  for (const t of tasks) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && t.name === String(pid)) {
        // The thread is there, its children file is not: no such files.
        try {
          Deno.statSync(`/proc/${pid}/task/${t.name}`);
          return undefined;
        } catch {
          return out;
        }
      }
      continue; // the thread ended meanwhile
    }
    for (const c of text.split(" ")) if (c) out.push(Number(c));
  }
  return out;
}

/**
 * `pid` and all its descendants: from `tree` when given, else from the
 * children files of `/proc` (falling back to a scan of every process).
 */
export function descendants(
  pid: number,
  tree?: Map<number, number[]>,
): number[] {
  const out: number[] = [];
  const stack = [pid];
  const seen = new Set<number>();
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    let kids = tree ? tree.get(p) : childrenOf(p);
    if (kids === undefined && !tree) {
      tree = processTree();
      kids = tree.get(p);
    }
    for (const c of kids ?? []) stack.push(c);
  }
  return out;
}

function readCounters(pid: number): (PidCounters & { rss: number }) | null {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // Fields after the ")" of the command name: state is the 3rd field overall,
  // utime the 14th, stime the 15th.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (rest[0] === "Z") return null; // a zombie uses nothing any more
  const ticks = Number(rest[11]) + Number(rest[12]);
  let rss = 0;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (m) rss = Number(m[1]) * 1024;
  } catch {
    // gone between the two reads
  }
  const out: PidCounters & { rss: number } = { ticks, rss };
  try {
    const io = Deno.readTextFileSync(`/proc/${pid}/io`);
    const r = /^read_bytes:\s+(\d+)/m.exec(io);
    const w = /^write_bytes:\s+(\d+)/m.exec(io);
    if (r && w) {
      out.read = Number(r[1]);
      out.write = Number(w[1]);
    }
  } catch {
    // not ours to read (another user), or no I/O accounting in this kernel
  }
  return out;
}

/**
 * Samples groups of processes (one group per node) and remembers the previous
 * sample of each group, so rates cover the time between two samples.
 *
 * @example
 * ```ts
 * const sampler = new ProcSampler();
 * sampler.sample(new Map([["camera", 4242]]));      // first: cpu 0
 * await new Promise((r) => setTimeout(r, 1000));
 * const usage = sampler.sample(new Map([["camera", 4242]])).get("camera");
 * console.log(usage?.cpu, usage?.memoryBytes);
 * ```
 */
export class ProcSampler {
  #previous = new Map<string, Previous>();
  #now: () => number;

  /** `now` (ms) is injectable for tests. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /**
   * Usage of each group, keyed like `roots` (group key → root pid). Groups
   * whose root pid is gone are left out and forgotten.
   */
  sample(
    roots: ReadonlyMap<string, number>,
    tree?: Map<number, number[]>,
  ): Map<string, ProcUsage> {
    const now = this.#now();
    const out = new Map<string, ProcUsage>();
    for (const [key, root] of roots) {
      const pids = descendants(root, tree);
      const counters = new Map<number, PidCounters>();
      let memoryBytes = 0;
      for (const pid of pids) {
        const c = readCounters(pid);
        if (!c) continue;
        counters.set(pid, c);
        memoryBytes += c.rss;
      }
      if (!counters.has(root)) {
        this.#previous.delete(key);
        continue;
      }
      const prev = this.#previous.get(key);
      let cpu = 0;
      let read: number | undefined;
      let write: number | undefined;
      const seconds = prev ? (now - prev.at) / 1000 : 0;
      if (prev && seconds > 0) {
        let ticks = 0;
        let readBytes = 0;
        let writeBytes = 0;
        let io = true;
        for (const [pid, c] of counters) {
          // A process new since the last sample counts from zero.
          const p = prev.counters.get(pid);
          ticks += c.ticks - (p?.ticks ?? 0);
          if (c.read === undefined || c.write === undefined) io = false;
          else {
            readBytes += c.read - (p?.read ?? 0);
            writeBytes += c.write - (p?.write ?? 0);
          }
        }
        cpu = Math.max(0, ticks / TICKS_PER_SECOND / seconds * 100);
        if (io) {
          read = Math.max(0, readBytes / seconds);
          write = Math.max(0, writeBytes / seconds);
        }
      } else if ([...counters.values()].every((c) => c.read !== undefined)) {
        read = 0;
        write = 0;
      }
      this.#previous.set(key, { at: now, counters });
      out.set(key, {
        cpu,
        memoryBytes,
        diskReadBytesPerSec: read,
        diskWriteBytesPerSec: write,
        pids: [...counters.keys()],
      });
    }
    for (const key of this.#previous.keys()) {
      if (!roots.has(key)) this.#previous.delete(key);
    }
    return out;
  }
}
