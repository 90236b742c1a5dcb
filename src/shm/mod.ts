/**
 * Shared memory for the zero-copy data path (docs/shared-memory.md): FFI
 * bindings to libc (loaded lazily, so importing needs no permission), mapped
 * regions, the sender's pool, the receiver's mapping cache, and clean-up of
 * stale `/dev/shm/dora-*` regions for the daemon.
 *
 * @example
 * ```ts
 * const c = libc(); // null without --allow-ffi
 * if (c) {
 *   const pool = new ShmPool(c, { prefix: regionPrefix(df, node), tokenPrefix: `${node}:` });
 *   const p = pool.acquire(1 << 20); // a pre-faulted region of at least 1 MiB
 * }
 * ```
 *
 * @module
 */
export { ffiGranted, libc, LIBC_CANDIDATES, libcError } from "./libc.ts";
export { ShmError, ShmRegion, ShmSizeError } from "./region.ts";
export { RegionFiles } from "./region_file.ts";
export {
  isDataflowRegion,
  isRegionOf,
  regionNameProblem,
} from "./region_name.ts";
export {
  MIN_REGION,
  type PooledRegion,
  regionPrefix,
  ShmPool,
  type ShmPoolOptions,
  sizeClass,
} from "./pool.ts";
export { ShmMappings } from "./receiver.ts";
export { cleanupStaleRegions, SHM_DIR, unlinkRegion } from "./cleanup.ts";
