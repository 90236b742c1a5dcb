/**
 * Shared memory for the zero-copy data path (docs/shared-memory.md): the
 * native calls (libc, or dora's own small library for nodes whose FFI is
 * limited to it; loaded lazily, so importing needs no permission), mapped
 * regions, the sender's pool, the receiver's mapping cache, and clean-up of
 * stale `/dev/shm/dora-*` regions for the daemon.
 *
 * @example
 * ```ts
 * const c = shmCalls(); // null without FFI
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
export {
  type Mapping,
  SHM_LIBRARY_ENV,
  type ShmCalls,
  shmCalls,
  shmCallsError,
} from "./shm_calls.ts";
export { libcCalls } from "./libc_calls.ts";
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
