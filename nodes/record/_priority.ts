/**
 * Lowers this process's CPU priority (nice), so that on a busy machine the
 * dataflow's own nodes run first and the recorder catches up from its queue.
 *
 * @module
 */

/** Sets this process's nice value to `nice`; false when not possible. */
export function lowerPriority(nice: number): boolean {
  try {
    const libc = Deno.dlopen("libc.so.6", {
      setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
    });
    try {
      // PRIO_PROCESS (0), this process (0).
      return libc.symbols.setpriority(0, 0, nice) === 0;
    } finally {
      libc.close();
    }
  } catch {
    return false; // no FFI permission, or not Linux
  }
}
