/**
 * Shared-memory region bookkeeping of node processes: the regions of a
 * process that exited are unlinked once no receiver holds a token of them
 * (see ShmTracker.retire), not only when the dataflow ends — a crash-looping
 * node would otherwise pile them up in /dev/shm.
 *
 * @module
 */
import { message, type RuntimeContext } from "../_context.ts";
import type { RunningNode } from "../running_node.ts";
import { unlinkShm } from "../spawn/runtime_dir.ts";
import { regionPrefix } from "../../shm/pool.ts";
import { requestDrains } from "./_drain.ts";

/**
 * The process of `node` is gone and its connection will read no more frames:
 * its regions are retired. Held outputs (backpressure) may still reference
 * them, so the tracker hears of them only once those went out.
 */
export function retireRegions(rt: RuntimeContext, node: RunningNode): void {
  // Snapshot now: a restarted process registers new regions in the set.
  const regions = new Set(node.shmRegions);
  node.shmRegions.clear();
  // A restart drops the old connection with its unread frames: regions it
  // announced there are found by name (`<prefix><pid>-<n>`, see pool.ts).
  const pid = node.process?.pid;
  if (pid !== undefined) {
    const own = `${regionPrefix(rt.id, node.spec.id).slice(1)}${pid}-`;
    try {
      for (const e of Deno.readDirSync("/dev/shm")) {
        if (e.name.startsWith(own)) regions.add(`/${e.name}`);
      }
    } catch {
      // no /dev/shm
    }
  }
  for (const r of regions) node.retiring.push(r);
  // Receivers on direct links may not have read (and mapped) everything yet.
  requestDrains(rt, node);
  if (node.held.length === 0) flushRetiring(rt, node);
}

/**
 * Hands the regions waiting for held outputs (and for receivers to drain
 * their links) to the tracker.
 */
export function flushRetiring(rt: RuntimeContext, node: RunningNode): void {
  if (node.retiring.length === 0 || node.drainWaits.size > 0) return;
  const regions = node.retiring;
  node.retiring = [];
  rt.shm.retire(regions);
}

/** Unlinks retired regions nobody holds any more (ShmTracker `onUnlink`). */
export function unlinkRetired(rt: RuntimeContext, regions: string[]): void {
  unlinkShm(regions);
  rt.inline.forget(regions);
  message(
    rt,
    "debug",
    `unlinked ${regions.length} shared-memory region(s) of exited processes: ${
      regions.join(", ")
    }`,
  );
}
