/**
 * Bearer tokens of the control plane. A coordinator requires one by default,
 * on loopback too: `DORA_AUTH_TOKEN`, else `<state dir>/token` (created with
 * mode 0600 on first start), which the same user's CLI and daemons read, so
 * nobody has to handle it on one machine.
 *
 * @module
 */
import { doraStateDir } from "../state_dir.ts";

/** Whether `addr` is a loopback address (127.0.0.1, ::1, localhost). */
export function isTrustedLoopback(addr: string): boolean {
  return addr === "127.0.0.1" || addr === "::1" || addr === "localhost";
}

/** A new random 32-byte token as hex. */
export function newToken(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toHex();
}

/**
 * The tokens a client may send, in order: `DORA_AUTH_TOKEN` alone when set,
 * else `./.dora-token` then `<DORA_STATE_DIR>/token` (distinct, non-empty).
 * A client tries the next one when the coordinator refuses one, so a stale
 * `.dora-token` in the working folder does not lock the user out.
 */
export function tokenCandidates(): string[] {
  const env = Deno.env.get("DORA_AUTH_TOKEN")?.trim();
  if (env) return [env];
  const out: string[] = [];
  for (const path of [".dora-token", tokenFile()]) {
    try {
      const text = Deno.readTextFileSync(path).trim();
      if (text && !out.includes(text)) out.push(text);
    } catch {
      // try the next place
    }
  }
  return out;
}

/** The first of {@link tokenCandidates}, if any. */
export function findToken(): string | undefined {
  return tokenCandidates()[0];
}

/** The state-dir token file. */
export function tokenFile(): string {
  return `${doraStateDir()}/token`;
}

/**
 * The token a coordinator requires: `DORA_AUTH_TOKEN`, else the state-dir
 * token file, created (mode 0600, folder 0700) when missing. `created` is
 * the file's path when this call wrote it. A token file readable by others
 * is made private again.
 */
export function coordinatorToken(): { token: string; created?: string } {
  const env = Deno.env.get("DORA_AUTH_TOKEN")?.trim();
  if (env) return { token: env };
  const path = tokenFile();
  const existing = readPrivate(path);
  if (existing) return { token: existing };
  Deno.mkdirSync(doraStateDir(), { recursive: true, mode: 0o700 });
  const token = newToken();
  try {
    Deno.writeTextFileSync(path, token + "\n", {
      mode: 0o600,
      createNew: true,
    });
    Deno.chmodSync(path, 0o600); // whatever the umask
    return { token, created: path };
  } catch (err) {
    // Another coordinator created it meanwhile: share it.
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    const raced = readPrivate(path);
    if (!raced) throw err;
    return { token: raced };
  }
}

/** The non-empty content of a token file, made private first; else undefined. */
function readPrivate(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    if (info.mode !== null && (info.mode & 0o077) !== 0) {
      Deno.chmodSync(path, 0o600);
    }
    return Deno.readTextFileSync(path).trim() || undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
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
