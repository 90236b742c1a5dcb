/**
 * "No node survives its daemon": with FFI, `prctl(PR_SET_PDEATHSIG, SIGKILL)`
 * (through libc or dora's shared-memory library)
 * makes the kernel kill us when the daemon dies; without it we poll
 * `Deno.ppid`. EOF on the daemon socket is handled by the node itself.
 *
 * @module
 */
import { shmCalls } from "../../../src/shm/shm_calls.ts";

/** How often the parent pid is checked. */
export const PPID_POLL_MS = 250;

function orphaned(parentPid: number): never {
  console.error(
    `error: dora node: the daemon (pid ${parentPid}) is gone (parent is now ${Deno.ppid}); exiting`,
  );
  Deno.exit(1);
}

/**
 * Starts the watchdog for a daemon with pid `parentPid`. Returns a function
 * that stops the polling. Never keeps the process alive.
 */
export function startWatchdog(parentPid: number | undefined): () => void {
  if (parentPid === undefined || Deno.ppid !== parentPid) {
    // Not started by the daemon directly (tests, wrappers): nothing to watch.
    return () => {};
  }
  if (shmCalls()?.dieWithParent()) {
    // The daemon may have died before prctl took effect.
    if (Deno.ppid !== parentPid) orphaned(parentPid);
  }
  const timer = setInterval(() => {
    if (Deno.ppid !== parentPid) orphaned(parentPid);
  }, PPID_POLL_MS);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
