/**
 * Coordinator state backends: `memory` (default) and `sqlite[:PATH]`
 * (default path `<DORA_STATE_DIR>/coordinator.sqlite`).
 *
 * @module
 */
import { doraStateDir } from "../state_dir.ts";
import { MemoryStore } from "./memory.ts";
import { SqliteStore } from "./sqlite.ts";
import type { CoordinatorStore } from "./types.ts";
export * from "./types.ts";
export { MemoryStore } from "./memory.ts";
export { SqliteStore } from "./sqlite.ts";

/**
 * Opens the store named by a `--store` value.
 *
 * @example
 * ```ts
 * const store = openStore("sqlite:/tmp/dora.sqlite");
 * ```
 */
export function openStore(spec: string): CoordinatorStore {
  checkStoreSpec(spec);
  if (spec === "memory") return new MemoryStore();
  if (spec === "sqlite") {
    return new SqliteStore(`${doraStateDir()}/coordinator.sqlite`);
  }
  return new SqliteStore(spec.slice(7));
}

/**
 * Throws a {@link RangeError} unless `spec` is a valid `--store` value
 * (`memory`, `sqlite` or `sqlite:PATH`), so a typo is caught before anything
 * starts (the CLI reports it as a usage error).
 */
export function checkStoreSpec(spec: string): void {
  if (spec === "memory" || spec === "sqlite") return;
  if (spec.startsWith("sqlite:") && spec.length > 7) return;
  throw new RangeError(
    `invalid --store "${spec}": expected memory, sqlite or sqlite:PATH`,
  );
}
