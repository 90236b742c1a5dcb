/**
 * Removal of shared-memory regions by name, for the daemon (which runs with
 * full permissions): no FFI needed, `/dev/shm` entries are plain files.
 *
 * @module
 */

/** Directory where POSIX shared memory lives on Linux. */
export const SHM_DIR = "/dev/shm";

/** Unlinks region `name` (with or without the leading `/`); false if it did not exist. */
export async function unlinkRegion(name: string): Promise<boolean> {
  try {
    await Deno.remove(`${SHM_DIR}/${name.replace(/^\//, "")}`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Unlinks every region whose name starts with `prefix` (e.g. `"dora-"` or a
 * dataflow's `regionPrefix`, with or without the leading `/`) unless
 * `keep(name)` says it belongs to a live dataflow. Returns the removed names.
 *
 * @example
 * ```ts
 * // at daemon start: remove regions of dataflows that are no longer running
 * await cleanupStaleRegions("dora-", (name) => live.some((id) => name.startsWith(`dora-${id.slice(0, 8)}-`)));
 * ```
 */
export async function cleanupStaleRegions(
  prefix = "dora-",
  keep: (name: string) => boolean = () => false,
): Promise<string[]> {
  const p = prefix.replace(/^\//, "");
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(SHM_DIR));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return removed;
    throw e;
  }
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.startsWith(p) || keep(entry.name)) {
      continue;
    }
    if (await unlinkRegion(entry.name)) removed.push(entry.name);
  }
  return removed;
}
