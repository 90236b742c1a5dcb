/**
 * The runtime's side of shared memory: token accounting (which receivers
 * still hold a region), inline copies for receivers that cannot map regions,
 * and the regions of exited nodes. The node side is `src/shm/`.
 *
 * @module
 */
export * from "./shm_tracker.ts";
export * from "./inline_copy.ts";
export * from "./region_check.ts";
