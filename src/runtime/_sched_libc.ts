/**
 * FFI bindings to libc's scheduling calls (`sched_setaffinity`,
 * `sched_setscheduler`, `mlockall`), loaded on first use; `null` without
 * FFI or libc.
 *
 * @module
 */
import { LIBC_CANDIDATES } from "../shm/libc.ts";

const SYMBOLS = {
  sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
  sched_getaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
  sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  mlockall: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The loaded symbols. */
export type SchedLibc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let loaded: SchedLibc | null | undefined;

/** The bindings, or null when FFI is not allowed or libc was not found. */
export function schedLibc(): SchedLibc | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (Deno.build.os !== "linux") return null;
  for (const path of LIBC_CANDIDATES) {
    try {
      loaded = Deno.dlopen(path, SYMBOLS).symbols;
      break;
    } catch {
      // next candidate
    }
  }
  return loaded;
}

/** `errno` after a failed call. */
export function schedErrno(c: SchedLibc): number {
  const p = c.__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

/** The thread ids of process `pid` (from /proc). */
export function taskIds(pid: number | "self"): number[] {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) => Number(e.name))
      .filter((n) => Number.isInteger(n));
  } catch {
    return [];
  }
}
