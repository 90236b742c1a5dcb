/**
 * dora's shared-memory library for TypeScript nodes (`src/shm/dora_shm.c`):
 * the one native library a node may load by default (its FFI is limited to
 * this file, so it cannot load libc). Compiled with the C compiler on first
 * use into dora's cache folder, named after a hash of its source (a changed
 * source builds anew), written to a temporary file and renamed (runs starting
 * together do not see half a library).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { doraCacheDir } from "../../build/cache_dir.ts";
import { sourceRoot } from "../../dora_command.ts";

/** The built library, or why there is none. */
export type ShmLibrary = { path: string } | { problem: string };

const FLAGS = ["-O2", "-shared", "-fPIC"];

/** The library, built now if there is no build of its current source. */
export function shmLibrary(): ShmLibrary {
  return build(`${sourceRoot()}/src/shm/dora_shm.c`, `${doraCacheDir()}/shm`);
}

/**
 * A getter for one run, looking the library up once: its path, or (for the
 * first node that asks only, so a run warns once) the problem. The next run
 * looks again (a compiler installed meanwhile, a cleaned cache).
 */
export function shmLibraryForRun(
  find: () => ShmLibrary = shmLibrary,
): () => { path?: string; warning?: string } {
  let lib: ShmLibrary | undefined;
  let warned = false;
  return () => {
    lib ??= find();
    if ("path" in lib) return { path: lib.path };
    if (warned) return {};
    warned = true;
    return {
      warning:
        `TypeScript nodes send big messages through the socket (no zero-copy shared memory): ${lib.problem}`,
    };
  };
}

/** Builds `source` into `folder` unless a build of the same source is there. */
export function build(source: string, folder: string): ShmLibrary {
  if (Deno.build.os !== "linux") {
    return { problem: `shared memory needs Linux (this is ${Deno.build.os})` };
  }
  let text: Uint8Array;
  try {
    text = Deno.readFileSync(source);
  } catch (e) {
    return { problem: `cannot read ${source}: ${(e as Error).message}` };
  }
  const key = createHash("sha256").update(text)
    .update(`${FLAGS.join(" ")} ${Deno.build.target}`).digest("hex")
    .slice(0, 16);
  const target = `${folder}/dora_shm-${key}.so`;
  if (trusted(target)) return { path: target };
  const cc = compiler();
  if (!cc) {
    return {
      problem: `no C compiler (${
        Deno.env.get("CC")?.trim() ? "`$CC`" : "`cc`"
      }) found to build dora's shared-memory library: install one (Debian: \`apt-get install gcc\`)`,
    };
  }
  const tmp = `${folder}/.build-${Deno.pid}-${key}`;
  try {
    Deno.mkdirSync(folder, { recursive: true, mode: 0o700 });
    // The source may live inside a compiled dora: give the compiler a file.
    Deno.writeFileSync(`${tmp}.c`, text);
    const out = new Deno.Command(cc[0]!, {
      args: [...cc.slice(1), ...FLAGS, `${tmp}.c`, "-o", `${tmp}.so`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n");
      return {
        problem: `\`${cc.join(" ")}\` failed to compile ${source}: ${
          err.slice(-3).join(" ")
        }`,
      };
    }
    Deno.chmodSync(`${tmp}.so`, 0o755);
    Deno.renameSync(`${tmp}.so`, target);
    return { path: target };
  } catch (e) {
    return {
      problem: `cannot build dora's shared-memory library in ${folder}: ${
        (e as Error).message
      }`,
    };
  } finally {
    for (const f of [`${tmp}.c`, `${tmp}.so`]) {
      try {
        Deno.removeSync(f);
      } catch {
        // already renamed or never written
      }
    }
  }
}

/** A library file of this user that nobody else may change. */
function trusted(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && st.uid === Deno.uid() && ((st.mode ?? 0) & 0o022) === 0;
  } catch {
    return false;
  }
}

/** `$CC` (split on spaces) if it exists, else `cc`, `gcc` or `clang` from PATH. */
function compiler(): string[] | undefined {
  const env = Deno.env.get("CC")?.trim();
  if (env) {
    const [program, ...args] = env.split(/\s+/);
    const found = find(program!);
    return found ? [found, ...args] : undefined;
  }
  for (const name of ["cc", "gcc", "clang"]) {
    const found = find(name);
    if (found) return [found];
  }
  return undefined;
}

/** `program` itself when it is a path, else where it is on PATH. */
function find(program: string): string | undefined {
  const dirs = program.includes("/")
    ? [""]
    : (Deno.env.get("PATH") ?? "").split(":").filter((d) => d);
  for (const dir of dirs) {
    const path = dir ? `${dir}/${program}` : program;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
