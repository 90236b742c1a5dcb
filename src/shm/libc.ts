/**
 * Lazy FFI bindings to the few libc functions dora needs (shared memory and
 * `prctl`). Nothing is loaded until {@link libc} is called, so importing this
 * module needs no permission; `libc()` returns `null` without `--allow-ffi`.
 *
 * @module
 */

const SYMBOLS = {
  shm_open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  shm_unlink: { parameters: ["buffer"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  posix_fallocate: { parameters: ["i32", "i64", "i64"], result: "i32" },
  mmap: {
    parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"],
    result: "pointer",
  },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
  sched_yield: { parameters: [], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The loaded libc symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Where libc lives on common Linux layouts (absolute paths: a scoped `--allow-ffi` needs them). */
export const LIBC_CANDIDATES = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/usr/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/lib/libc.so.6",
  "/usr/lib/libc.so.6",
];

/** Linux constants. */
export const O_RDONLY = 0;
/** Linux constants. */
export const O_RDWR = 2;
/** Linux constants. */
export const O_CREAT = 0o100;
/** Linux constants. */
export const O_EXCL = 0o200;
/** Linux constants. */
export const PROT_READ = 1;
/** Linux constants. */
export const PROT_WRITE = 2;
/** Linux constants. */
export const MAP_SHARED = 1;
/** Linux constants. */
export const SEEK_END = 2;
/** Linux constants. */
export const PR_SET_PDEATHSIG = 1;
/** Linux constants. */
export const SIGKILL = 9;

let loaded: Libc | null | undefined;
let loadError = "";

/** Whether this process was granted FFI (never prompts). */
export function ffiGranted(): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * The libc bindings, or `null` when FFI is not allowed or libc was not found
 * ({@link libcError} says why). Loaded once.
 */
export function libc(): Libc | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (Deno.build.os !== "linux") {
    loadError = `shared memory needs Linux (this is ${Deno.build.os})`;
    return null;
  }
  const errors: string[] = [];
  const env = (() => {
    try {
      return Deno.env.get("DORA_LIBC_PATH");
    } catch {
      return undefined;
    }
  })();
  for (const path of env ? [env, ...LIBC_CANDIDATES] : LIBC_CANDIDATES) {
    try {
      loaded = Deno.dlopen(path, SYMBOLS).symbols;
      return loaded;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
      if (e instanceof Deno.errors.NotCapable && !ffiGranted()) break;
    }
  }
  loadError = `cannot load libc (${errors[0] ?? "no candidates"})`;
  return null;
}

/** Why {@link libc} returned null. */
export function libcError(): string {
  return loadError;
}

/** The current `errno` (valid right after a failed call). */
export function errno(c: Libc): number {
  const p = c.__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

/** Names of the errno values dora reports. */
export function errnoName(code: number): string {
  return ({
    1: "EPERM",
    2: "ENOENT",
    12: "ENOMEM",
    13: "EACCES",
    17: "EEXIST",
    22: "EINVAL",
    23: "ENFILE",
    24: "EMFILE",
    27: "EFBIG",
    28: "ENOSPC",
    30: "EROFS",
    36: "ENAMETOOLONG",
    95: "EOPNOTSUPP",
  } as Record<number, string>)[code] ?? `errno ${code}`;
}
