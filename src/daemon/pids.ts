/**
 * Finds the processes of a dataflow from `/proc`: children of this daemon
 * whose environment names the dataflow in `DORA_NODE_CONFIG`, plus all their
 * descendants (wrappers such as `uv run` or `sh -c` included).
 *
 * @module
 */

/** Pids of every process belonging to dataflow `uuid` under this process. */
export function dataflowPids(uuid: string): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
        const ppid = Number(
          stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1],
        );
        const list = children.get(ppid) ?? [];
        list.push(Number(e.name));
        children.set(ppid, list);
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return []; // no /proc
  }
  const roots = (children.get(Deno.pid) ?? []).filter((pid) => {
    try {
      return Deno.readTextFileSync(`/proc/${pid}/environ`).includes(uuid);
    } catch {
      return false;
    }
  });
  const out: number[] = [];
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}
