/**
 * Where dora keeps its own state (auth token, `dora up` bookkeeping, the
 * coordinator's SQLite store, background logs).
 *
 * @module
 */

/**
 * The folder for dora's own state: `DORA_STATE_DIR`, default `~/.dora`.
 *
 * @example
 * ```ts
 * const tokenFile = `${doraStateDir()}/token`;
 * ```
 */
export function doraStateDir(): string {
  const explicit = Deno.env.get("DORA_STATE_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? "/tmp";
  return `${home}/.dora`;
}
