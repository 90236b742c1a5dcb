/**
 * Lowers this process's CPU priority (nice), so that on a busy machine the
 * dataflow's own nodes run first and the recorder catches up from its queue.
 * Through dora's node library (the recorder's only FFI), or libc.
 *
 * @module
 */
import { shmCalls } from "../../src/shm/shm_calls.ts";

/** Sets this process's nice value to `nice`; false when not possible. */
export function lowerPriority(nice: number): boolean {
  try {
    return shmCalls()?.lowerPriority(nice) ?? false;
  } catch {
    return false; // not Linux
  }
}
