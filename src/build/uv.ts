/**
 * Finding uv for `--uv` (Python nodes run with `uv run python`, builds use
 * `uv pip`), and installing it from PyPI into dora's cache when it is
 * missing. Looked for in order: `$DORA_UV`, `uv` on PATH, the copy dora
 * installed before (`<cache>/uv/bin/uv`), the `uv` Python package of
 * `python3`.
 *
 * @module
 */
import { doraCacheDir } from "./cache_dir.ts";
import { runLines } from "./_run_lines.ts";

/** uv is missing and could not be installed, or does not work. */
export class UvError extends Error {
  readonly hint: string;
  readonly tail: string[];
  constructor(message: string, hint: string, tail: string[] = []) {
    super(message);
    this.name = "UvError";
    this.hint = hint;
    this.tail = tail;
  }
}

function isExecutable(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && ((st.mode ?? 0o755) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Where dora installs uv when it is missing. */
export function managedUvPath(cacheDir = doraCacheDir()): string {
  return `${cacheDir}/uv/bin/uv`;
}

/** The uv executable, or undefined when there is none. */
export async function findUv(
  cacheDir = doraCacheDir(),
): Promise<string | undefined> {
  const explicit = Deno.env.get("DORA_UV");
  if (explicit) return explicit;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && isExecutable(`${dir}/uv`)) return `${dir}/uv`;
  }
  if (isExecutable(managedUvPath(cacheDir))) return managedUvPath(cacheDir);
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import uv; print(uv.find_uv_bin())"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(out.stdout).trim();
    if (out.code === 0 && isExecutable(path)) return path;
  } catch {
    // no python3
  }
  return undefined;
}

/**
 * uv, installed from PyPI (`python3 -m pip install --target <cache>/uv uv`)
 * when missing; `say` tells the user that it happens.
 *
 * @throws {UvError} when uv is missing and cannot be installed.
 */
export async function ensureUv(
  say: (line: string) => void,
  cacheDir = doraCacheDir(),
): Promise<string> {
  const found = await findUv(cacheDir);
  if (found) return found;
  const target = `${cacheDir}/uv`;
  say(`uv not found: installing it from PyPI into ${target}`);
  Deno.mkdirSync(cacheDir, { recursive: true });
  const partial = Deno.makeTempDirSync({ dir: cacheDir, prefix: ".uv-" });
  try {
    let result;
    try {
      result = await runLines("python3", [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-warn-script-location",
        "--target",
        partial,
        "uv",
      ], { cwd: cacheDir, onLine: () => {} });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      throw new UvError(
        "uv is not installed and python3 is missing to install it",
        "install uv (https://docs.astral.sh/uv/) or python3 with pip, or run without --uv",
      );
    }
    if (result.code !== 0 || !isExecutable(`${partial}/bin/uv`)) {
      throw new UvError(
        `uv is not installed and \`python3 -m pip install uv\` failed (exit code ${result.code})`,
        "install uv yourself (pip install uv) or run without --uv",
        result.tail,
      );
    }
    try {
      Deno.removeSync(target, { recursive: true });
    } catch {
      // nothing installed before
    }
    Deno.renameSync(partial, target);
    say(`installed ${await uvVersion(managedUvPath(cacheDir))}`);
    return managedUvPath(cacheDir);
  } finally {
    try {
      Deno.removeSync(partial, { recursive: true });
    } catch {
      // renamed into place
    }
  }
}

/** `uv --version` of `uv`, e.g. `uv 0.13.9`. */
export async function uvVersion(uv: string): Promise<string> {
  const out = await new Deno.Command(uv, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split(" (")[0] || "uv";
}

/**
 * Makes sure `dir` has a Python environment for uv (`<dir>/.venv`, created
 * with access to the system's packages so pyarrow is there for the dora API).
 *
 * @throws {UvError} when `uv venv` fails.
 */
export async function ensureUvVenv(
  uv: string,
  dir: string,
  say: (line: string) => void,
): Promise<void> {
  if (Deno.env.get("VIRTUAL_ENV")) return;
  try {
    Deno.statSync(`${dir}/.venv`);
    return;
  } catch {
    // create it
  }
  say(`creating a Python environment for uv in ${dir}/.venv`);
  const result = await runLines(
    uv,
    ["venv", "--quiet", "--system-site-packages", `${dir}/.venv`],
    { cwd: dir, onLine: () => {} },
  );
  if (result.code !== 0) {
    throw new UvError(
      `\`uv venv\` failed in ${dir} (exit code ${result.code})`,
      "run `uv venv` there yourself to see why, or run without --uv",
      result.tail,
    );
  }
}
