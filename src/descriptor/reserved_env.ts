/**
 * Environment variables the runtime owns: a node's `env` cannot set them.
 * `dora validate` warns about each one and `dora run` ignores it, from this
 * one list.
 *
 * @module
 */

/** Names the runtime sets or that could subvert a node's process. */
export const RESERVED_ENV: ReadonlySet<string> = new Set([
  "DORA_NODE_CONFIG",
  "DORA_RUNTIME_CONFIG",
  "DORA_RUN_PARENT_PID",
  "DORA_SHM_LIBRARY",
  "DORA_AUTH_TOKEN",
  "DORA_ALLOW_SHELL_NODES",
  "ZENOH_CONFIG",
  "LD_PRELOAD",
  "LD_AUDIT",
  "LD_LIBRARY_PATH",
]);

/** Prefixes of reserved names (zenoh settings, the macOS loader). */
export const RESERVED_ENV_PREFIXES: readonly string[] = [
  "DORA_ZENOH_",
  "DYLD_",
];

/**
 * Whether a node's `env` may not set `name`.
 *
 * @example
 * ```ts
 * isReservedEnv("LD_PRELOAD"); // true
 * isReservedEnv("DORA_ZENOH_MODE"); // true
 * isReservedEnv("MY_SETTING"); // false
 * ```
 */
export function isReservedEnv(name: string): boolean {
  return RESERVED_ENV.has(name) ||
    RESERVED_ENV_PREFIXES.some((p) => name.startsWith(p));
}
