/**
 * The zenoh-ts version dora is built with, and the compatibility rule with
 * the bridge: the same major and minor version (zenoh's remote-api protocol
 * changes between minor versions).
 *
 * @module
 */

/** Version of `@eclipse-zenoh/zenoh-ts` in deno.json (checked by a test). */
export const ZENOH_TS_VERSION = "1.10.1";

/** The bridge version dora is tested with (`scripts/setup.sh --zenoh`). */
export const ZENOH_BRIDGE_VERSION = "1.10.2";

/**
 * Whether a bridge of `bridge` (e.g. `v1.10.2`) serves zenoh-ts `client`.
 *
 * @example
 * ```ts
 * compatibleVersions("1.10.1", "v1.10.2"); // true
 * compatibleVersions("1.10.1", "1.9.0"); // false
 * ```
 */
export function compatibleVersions(client: string, bridge: string): boolean {
  const mm = (v: string) =>
    v.replace(/^v/, "").split(".").slice(0, 2).join(".");
  return mm(client) === mm(bridge);
}
