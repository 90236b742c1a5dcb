/**
 * The interpreter for `.py` nodes: `python3` from `PATH`, except that a shim
 * (pyenv, asdf: a script that picks a version, then execs the real binary)
 * is resolved to the real interpreter once per run, so every node start
 * skips the shim (about 117 → 50 ms per start on the development VM).
 *
 * Asking a pyenv shim costs 0.3–2 s (a dozen bash scripts, then Python's
 * start-up), more than the rest of `dora run`'s start-up, so the answer of a
 * `shims/` folder's shim is also kept on disk (`python-shims.json` in dora's
 * state folder), keyed by everything pyenv and asdf choose a version from:
 * the folder, `PATH`, their `PYENV_*` / `ASDF_*` variables, the contents of
 * every `.python-version` / `.tool-versions` from the folder up, their
 * global version files and the shim's own time stamp. A change to any of
 * them, or a remembered interpreter that is gone, asks the shim again.
 *
 * @module
 */

/** How `.py` nodes are started. */
export interface PythonInterpreter {
  /** The executable: an absolute path, or `python3` when unresolved. */
  cmd: string;
  /** Set when `cmd` was resolved behind a shim: its folder goes first on the node's PATH, as the shim would put it. */
  binDir?: string;
}

/** Resolutions of one run, keyed by working folder and version selection. */
export type PythonCache = Map<string, PythonInterpreter>;

/**
 * Resolves `python3` for a node running in `cwd` with extra environment
 * `env` (a shim's choice can depend on both: `.python-version`,
 * `PYENV_VERSION`). Falls back to plain `python3` whenever anything is odd.
 */
export function resolvePython(
  cwd: string,
  env: Record<string, string>,
  cache: PythonCache,
  store?: string,
): PythonInterpreter {
  const path = env.PATH ?? Deno.env.get("PATH") ?? "";
  const found = onPath("python3", path);
  if (!found || !isShim(found)) return { cmd: "python3" };
  const key = JSON.stringify([
    cwd,
    path,
    env.PYENV_VERSION ?? Deno.env.get("PYENV_VERSION") ?? null,
    env.ASDF_PYTHON_VERSION ?? Deno.env.get("ASDF_PYTHON_VERSION") ?? null,
  ]);
  let hit = cache.get(key);
  if (!hit) {
    const stamp = store ? selectionStamp(found, cwd, env) : undefined;
    hit = stamp ? remembered(store!, stamp) : undefined;
    if (!hit) {
      hit = askShim(found, cwd, env);
      if (stamp && hit.binDir) remember(store!, stamp, hit);
    }
    cache.set(key, hit);
  }
  return hit;
}

/** Remembered answers kept at most (the oldest go first). */
const STORE_MAX = 64;

interface StoreEntry extends PythonInterpreter {
  at: number;
}

/**
 * Everything a pyenv or asdf shim picks its interpreter from, as one string;
 * undefined for other scripts (their choice is unknown: asked each run).
 */
export function selectionStamp(
  shim: string,
  cwd: string,
  env: Record<string, string>,
): string | undefined {
  const m = /^(.*)\/shims\/[^/]+$/.exec(shim);
  if (!m) return undefined;
  const root = m[1];
  const vars: [string, string][] = [];
  const all = { ...Deno.env.toObject(), ...env };
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith("PYENV") || k.startsWith("ASDF") || k === "PATH") {
      vars.push([k, v]);
    }
  }
  vars.sort((a, b) => a[0] < b[0] ? -1 : 1);
  const files: [string, string | null][] = [];
  let dir = all.PYENV_DIR || cwd;
  for (;;) {
    for (const f of [".python-version", ".tool-versions"]) {
      const path = `${dir}/${f}`;
      files.push([path, readOrNull(path)]);
    }
    if (dir === "/" || dir === "") break;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
  for (const path of [`${root}/version`, `${all.HOME ?? ""}/.tool-versions`]) {
    files.push([path, readOrNull(path)]);
  }
  let mtime = 0;
  try {
    mtime = Deno.statSync(shim).mtime?.getTime() ?? 0;
  } catch {
    return undefined;
  }
  return JSON.stringify([shim, mtime, cwd, vars, files]);
}

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function readStore(store: string): Record<string, StoreEntry> {
  try {
    const data = JSON.parse(Deno.readTextFileSync(store));
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  } catch {
    return {};
  }
}

/** The remembered interpreter for `stamp`, if it still exists. */
function remembered(
  store: string,
  stamp: string,
): PythonInterpreter | undefined {
  const e = readStore(store)[stamp];
  if (!e || typeof e.cmd !== "string" || typeof e.binDir !== "string") {
    return undefined;
  }
  try {
    if (!Deno.statSync(e.cmd).isFile) return undefined;
  } catch {
    return undefined;
  }
  return { cmd: e.cmd, binDir: e.binDir };
}

/** Keeps an answer (best effort: a read-only state folder just asks again). */
function remember(
  store: string,
  stamp: string,
  hit: PythonInterpreter,
): void {
  try {
    const entries = readStore(store);
    entries[stamp] = { ...hit, at: Date.now() };
    const keys = Object.keys(entries).sort((a, b) =>
      entries[b].at - entries[a].at
    );
    for (const k of keys.slice(STORE_MAX)) delete entries[k];
    const dir = store.slice(0, store.lastIndexOf("/"));
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${store}.${Deno.pid}.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify(entries));
    Deno.renameSync(tmp, store);
  } catch {
    // not kept: the next run asks the shim
  }
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A script (`#!`) rather than a binary, or a file in a `shims` folder. */
function isShim(file: string): boolean {
  if (/\/shims\/[^/]+$/.test(file)) return true;
  try {
    const f = Deno.openSync(file);
    try {
      const head = new Uint8Array(2);
      return f.readSync(head) === 2 && head[0] === 0x23 && head[1] === 0x21;
    } finally {
      f.close();
    }
  } catch {
    return false;
  }
}

function askShim(
  shim: string,
  cwd: string,
  env: Record<string, string>,
): PythonInterpreter {
  try {
    const out = new Deno.Command(shim, {
      args: ["-c", "import sys; print(sys.executable)"],
      cwd,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const exe = new TextDecoder().decode(out.stdout).trim();
    if (!out.success || !exe.startsWith("/") || !Deno.statSync(exe).isFile) {
      return { cmd: "python3" };
    }
    return { cmd: exe, binDir: exe.slice(0, exe.lastIndexOf("/")) };
  } catch {
    return { cmd: "python3" };
  }
}
