/**
 * Coordinator state backends: `memory` (default) and `sqlite[:PATH]`
 * (default path `<DORA_STATE_DIR>/coordinator.sqlite`).
 *
 * @module
 */
import { UsageError } from "../cli/errors.ts";
import { doraStateDir } from "../control/auth.ts";
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
 * Throws a {@link UsageError} unless `spec` is a valid `--store` value
 * (`memory`, `sqlite` or `sqlite:PATH`), so a typo is a usage error before
 * anything starts.
 */
export function checkStoreSpec(spec: string): void {
  if (spec === "memory" || spec === "sqlite") return;
  if (spec.startsWith("sqlite:") && spec.length > 7) return;
  throw new UsageError(
    `invalid --store '${spec}': expected memory, sqlite or sqlite:PATH`,
  );
}
