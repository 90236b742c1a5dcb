/**
 * The control-plane wire format shared by the CLI, the coordinator and the
 * daemons: WebSocket text frames carrying JSON.
 *
 * - request `{id, method, params}` → response `{id, result}` or `{id, error}`
 * - pushed event `{event, payload}` (no reply)
 *
 * Both ends of a link may send requests (the coordinator calls daemons over
 * the link the daemon opened). Every link starts with a `hello` request whose
 * answer is a version check.
 *
 * @module
 */
import { compareVersions, parseVersion } from "../semver.ts";

/** Default coordinator port (WebSocket control plane). */
export const DEFAULT_COORDINATOR_PORT = 6013;
/** Default coordinator address. */
export const DEFAULT_COORDINATOR_ADDR = "127.0.0.1";
/** URL path CLI clients connect to. */
export const CONTROL_PATH = "/api/control";
/** URL path daemons connect to. */
export const DAEMON_PATH = "/api/daemon";

/** A request frame. */
export interface RequestFrame {
  id: number;
  method: string;
  params?: unknown;
}

/**
 * A response frame: exactly one of `result` and `error`; `code` names the kind
 * of error when the answering side has one (e.g. `version_mismatch`).
 */
export interface ResponseFrame {
  id: number;
  result?: unknown;
  error?: string;
  code?: string;
}

/** A pushed event frame. */
export interface EventFrame {
  event: string;
  payload?: unknown;
}

/** Any frame on a control link. */
export type Frame = RequestFrame | ResponseFrame | EventFrame;

/** Parameters of the first request on every link. */
export interface HelloParams {
  version: string;
  role: "cli" | "daemon";
}

/** Answer to `hello`. */
export interface HelloResult {
  version: string;
  coordinator: { interface: string; port: number; startedAt: number };
}

/** Two dora versions that cannot talk; the message says what to upgrade. */
export class VersionMismatchError extends Error {
  /** The code a control-link error reply carries for this error. */
  readonly code = "version_mismatch";
  constructor(message: string) {
    super(message);
    this.name = "VersionMismatchError";
  }
}

/**
 * Checks that two dora versions can talk: same major, and for 0.x the same
 * minor. Returns `undefined` when they can, or an error message that says
 * which side to upgrade to which version.
 */
export function versionMismatch(
  local: { role: string; version: string },
  remote: { role: string; version: string },
): string | undefined {
  const mine = parseVersion(local.version);
  const theirs = parseVersion(remote.version);
  if (!mine || !theirs) {
    return `invalid dora version in handshake: ${local.role} ${local.version}, ${remote.role} ${remote.version}`;
  }
  const compatible = mine.major === theirs.major &&
    (mine.major !== 0 || mine.minor === theirs.minor);
  if (compatible) return undefined;
  const [older, newer] = compareVersions(remote.version, local.version) > 0
    ? [local, remote]
    : [remote, local];
  return `version mismatch: ${local.role} is dora ${local.version} but ${remote.role} is dora ${remote.version}; upgrade ${older.role} (dora ${older.version}) to dora ${newer.version}`;
}
