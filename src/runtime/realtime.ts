/**
 * `--rt` (`dora run`, `dora daemon`): locks the runtime's memory
 * (`mlockall(MCL_FUTURE)`: what it maps from then on — queues, buffers,
 * shared-memory mappings — stays in RAM; Deno cannot lock the pages it has
 * already mapped, V8 aborts at exit when they are) and runs its threads with
 * `SCHED_FIFO`, through FFI. Where that is not
 * permitted (no CAP_IPC_LOCK / CAP_SYS_NICE, `ulimit -l` / `ulimit -r` too
 * low) it says so and carries on with normal scheduling. Nodes do not inherit
 * the real-time policy (`SCHED_RESET_ON_FORK`): each opts in itself.
 *
 * @module
 */
import { errnoName } from "../shm/libc.ts";
import { schedErrno, schedLibc, taskIds } from "./_sched_libc.ts";
import { prepareTimerThread } from "./timers.ts";

const MCL_FUTURE = 2;
const SCHED_FIFO = 1;
const SCHED_RESET_ON_FORK = 0x40000000;

/** The SCHED_FIFO priority `--rt` uses (1 lowest … 99 highest). */
export const RT_PRIORITY = 50;

/** What `--rt` achieved: messages for the user (warnings when not permitted). */
export interface RealtimeResult {
  locked: boolean;
  fifo: boolean;
  warnings: string[];
}

const CAP_IPC_LOCK = 14n;

/**
 * Why locking all future memory would be unsafe here: without CAP_IPC_LOCK
 * the locked amount is capped by `ulimit -l`, and allocations past the cap
 * would fail. Undefined when it is safe.
 */
export function lockRefusal(
  status = readProc("/proc/self/status"),
  limits = readProc("/proc/self/limits"),
): string | undefined {
  const cap = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (cap && (BigInt(`0x${cap}`) >> CAP_IPC_LOCK) & 1n) return undefined;
  const limit = /^Max locked memory\s+(\S+)/m.exec(limits)?.[1];
  if (limit === "unlimited") return undefined;
  return `no CAP_IPC_LOCK and \`ulimit -l\` is ${
    limit === undefined ? "unknown" : `${Math.round(Number(limit) / 1024)} KiB`
  }`;
}

function readProc(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Applies `--rt` to this process. Never throws. */
export function enableRealtime(priority = RT_PRIORITY): RealtimeResult {
  const out: RealtimeResult = { locked: false, fifo: false, warnings: [] };
  const c = schedLibc();
  if (!c) {
    out.warnings.push(
      "--rt: not applied: needs FFI and Linux (running with normal scheduling)",
    );
    return out;
  }
  const why = lockRefusal();
  // The timer thread starts now: no isolate can start once memory is locked.
  if (!why) prepareTimerThread();
  if (why) {
    out.warnings.push(
      `--rt: not locking memory: ${why} (locked allocations beyond it would fail); allow it with CAP_IPC_LOCK or \`ulimit -l unlimited\``,
    );
  } else if (c.mlockall(MCL_FUTURE) === 0) out.locked = true;
  else {
    const e = errnoName(schedErrno(c));
    out.warnings.push(
      `--rt: cannot lock memory (mlockall: ${e}); memory may be paged out. Allow it with CAP_IPC_LOCK or \`ulimit -l unlimited\``,
    );
  }
  const param = new Int32Array([priority]);
  let failed = "";
  for (const tid of taskIds("self")) {
    if (
      c.sched_setscheduler(
        tid,
        SCHED_FIFO | SCHED_RESET_ON_FORK,
        new Uint8Array(param.buffer),
      ) !== 0
    ) {
      failed = errnoName(schedErrno(c));
      break;
    }
  }
  if (failed) {
    out.warnings.push(
      `--rt: SCHED_FIFO not permitted (sched_setscheduler: ${failed}); running with normal scheduling. Allow it with CAP_SYS_NICE or \`ulimit -r ${priority}\``,
    );
  } else out.fifo = true;
  return out;
}
