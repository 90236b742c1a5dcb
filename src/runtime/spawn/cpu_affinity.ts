/**
 * `cpu_affinity`: pins a node process to CPU cores with `sched_setaffinity`
 * (through FFI). The process is pinned right after it is spawned, every one
 * of its threads (threads started later inherit the mask); cores this machine
 * does not have are skipped with a warning, as the original does.
 *
 * @module
 */
import { errnoName } from "../../shm/libc.ts";
import { schedErrno, schedLibc, taskIds } from "../_sched_libc.ts";

/** The cores of `wanted` that exist here, and the ones that do not. */
export function usableCores(
  wanted: number[],
  cpus = navigator.hardwareConcurrency,
): { cores: number[]; missing: number[] } {
  const cores = [...new Set(wanted)].filter((c) => c >= 0 && c < cpus);
  const missing = wanted.filter((c) => !cores.includes(c));
  return { cores, missing };
}

/** A `cpu_set_t` (1024 bits) with `cores` set. */
export function cpuMask(cores: number[]): Uint8Array<ArrayBuffer> {
  const mask = new Uint8Array(128);
  for (const c of cores) mask[c >> 3]! |= 1 << (c & 7);
  return mask;
}

/**
 * Pins every thread of process `pid` to `wanted` cores; resolves to the
 * warnings to show (skipped cores, a failed call). Never throws.
 */
export function pinProcess(
  pid: number,
  node: string,
  wanted: number[],
): string[] {
  const warnings: string[] = [];
  const { cores, missing } = usableCores(wanted);
  if (missing.length) {
    warnings.push(
      `node "${node}": cpu_affinity cores ${
        missing.join(", ")
      } do not exist on this machine (${navigator.hardwareConcurrency} CPUs): skipped`,
    );
  }
  if (cores.length === 0) return warnings;
  const c = schedLibc();
  if (!c) {
    warnings.push(
      `node "${node}": cpu_affinity not applied: FFI is not available to dora`,
    );
    return warnings;
  }
  const mask = cpuMask(cores);
  const done = new Set<number>();
  // Repeat until no new thread shows up: a thread created while we pin
  // inherits the mask only from an already pinned creator.
  for (let round = 0; round < 5; round++) {
    const fresh = taskIds(pid).filter((t) => !done.has(t));
    if (fresh.length === 0) break;
    for (const tid of fresh) {
      done.add(tid);
      if (c.sched_setaffinity(tid, BigInt(mask.length), mask) !== 0) {
        const err = errnoName(schedErrno(c));
        if (err === "ESRCH" || err === "errno 3") continue; // thread ended
        warnings.push(
          `node "${node}": cpu_affinity not applied: sched_setaffinity failed (${err})`,
        );
        return warnings;
      }
    }
  }
  return warnings;
}
