/**
 * The native calls behind a shared-memory region, from libc (a process with
 * unscoped FFI: the runtime, `dora doctor`, a node granted `ffi: true`) or
 * from dora's own small library (a TypeScript node by default, whose FFI is
 * limited to that one file: docs/security.md, "TypeScript nodes").
 *
 * @module
 */
import { libc, libcError } from "./libc.ts";
import { libcCalls } from "./libc_calls.ts";
import { libraryCalls } from "./library_calls.ts";

/** A mapping: `buffer` aliases the region until `release()`. */
export interface Mapping {
  buffer: ArrayBuffer;
  /** Bytes of the region that are mapped. */
  size: number;
  /** Unmaps; touching `buffer` afterwards may crash (libc) or read zeros. */
  release(): void;
}

/** What {@link ShmRegion} needs from native code. */
export interface ShmCalls {
  /** Where the calls come from, for messages (`libc`, a library path). */
  readonly source: string;
  /** Creates region `name` (never an existing one) and maps it read-write. */
  create(name: string, size: number): Mapping;
  /** Maps all of region `name` read-only; refuses one smaller than `claimed`. */
  open(name: string, claimed: number): Mapping;
  /** Removes the name (mappings stay valid). */
  unlink(name: string): void;
  /** Has the kernel kill this process when its parent dies; false if not. */
  dieWithParent(): boolean;
  /** Lowers this process's priority to nice value `nice`; false if not. */
  lowerPriority(nice: number): boolean;
  /**
   * Yields the CPU (`sched_yield`): a receiver woken on this CPU by what was
   * just written runs now, not after the rest of this event-loop turn.
   */
  yieldCpu(): void;
}

/** The variable that names dora's library (the runtime sets it for nodes). */
export const SHM_LIBRARY_ENV = "DORA_SHM_LIBRARY";

let loaded: ShmCalls | null | undefined;
let loadError = "";

/**
 * The calls of the library `DORA_SHM_LIBRARY` names, else libc's, or `null`
 * when neither loads ({@link shmCallsError} says why). Loaded once.
 */
export function shmCalls(): ShmCalls | null {
  if (loaded !== undefined) return loaded;
  let library: string | undefined;
  try {
    library = Deno.env.get(SHM_LIBRARY_ENV);
  } catch {
    library = undefined;
  }
  if (library) {
    try {
      return loaded = libraryCalls(library);
    } catch (e) {
      loadError = `cannot load ${library}: ${(e as Error).message}`;
    }
  }
  const c = libc();
  if (c) return loaded = libcCalls(c);
  loadError ||= libcError();
  return loaded = null;
}

/** Why {@link shmCalls} returned null. */
export function shmCallsError(): string {
  return loadError;
}
