/**
 * Bearer tokens for coordinators bound off loopback.
 *
 * @module
 */
import { doraStateDir } from "../state_dir.ts";

/** Whether `addr` is a loopback address that needs no token (127.0.0.1, ::1, localhost). */
export function isTrustedLoopback(addr: string): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "localhost";
}

/** A new random 32-byte token as hex. */
export function newToken(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toHex();
}

/**
 * The token a client sends: `DORA_AUTH_TOKEN`, else `./.dora-token`, else
 * `<DORA_STATE_DIR>/token`. Undefined when none exists.
 */
export function findToken(): string | undefined {
  const env = Deno.env.get("DORA_AUTH_TOKEN");
  if (env) return env.trim();
  for (const path of [".dora-token", `${doraStateDir()}/token`]) {
    try {
      const text = Deno.readTextFileSync(path).trim();
      if (text) return text;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** Compares tokens in constant time. */
export function tokensEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}
