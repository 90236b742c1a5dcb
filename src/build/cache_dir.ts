/**
 * Where dora keeps what it downloads (URL node sources, uv):
 * `$DORA_CACHE_DIR`, else `$XDG_CACHE_HOME/dora`, else `~/.cache/dora`.
 *
 * @module
 */

/** The folder of dora's download cache (not created here). */
export function doraCacheDir(): string {
  const explicit = Deno.env.get("DORA_CACHE_DIR");
  if (explicit) return explicit.replace(/\/$/, "");
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg.replace(/\/$/, "")}/dora`;
  return `${Deno.env.get("HOME") ?? "/tmp"}/.cache/dora`;
}
