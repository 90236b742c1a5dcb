/**
 * CPU and memory of process ids from `/proc` (Linux). CPU is the percent of
 * one core used since the previous sample of the same pid.
 *
 * @module
 */

const TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

/** Samples `/proc/<pid>` and remembers the previous CPU time per pid. */
export class ProcSampler {
  #last = new Map<number, { cpuTicks: number; at: number }>();

  /** CPU percent (sum) and resident memory bytes (sum) of `pids`. */
  sample(pids: number[]): { cpu: number; memoryBytes: number } {
    let cpu = 0;
    let memoryBytes = 0;
    const now = performance.now();
    for (const pid of pids) {
      try {
        const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
        // Fields after the ")" of the command name: utime is 14th, stime 15th overall.
        const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(rest[11]) + Number(rest[12]);
        const statm = Deno.readTextFileSync(`/proc/${pid}/statm`).split(" ");
        memoryBytes += Number(statm[1]) * PAGE_SIZE;
        const prev = this.#last.get(pid);
        if (prev && now > prev.at) {
          const seconds = (now - prev.at) / 1000;
          cpu += ((ticks - prev.cpuTicks) / TICKS_PER_SECOND) / seconds * 100;
        }
        this.#last.set(pid, { cpuTicks: ticks, at: now });
      } catch {
        this.#last.delete(pid); // gone
      }
    }
    return { cpu: Math.max(0, cpu), memoryBytes };
  }
}
