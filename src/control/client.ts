/**
 * Connecting to a coordinator: WebSocket, bearer token, version handshake,
 * and one clear error line for every way it can fail.
 *
 * @module
 */
import { CliError } from "../cli/errors.ts";
import { DORA_VERSION } from "../cli/version.ts";
import { findToken } from "./auth.ts";
import {
  LinkClosedError,
  Peer,
  type PeerOptions,
  RemoteError,
} from "./peer.ts";
import {
  CONTROL_PATH,
  DAEMON_PATH,
  type HelloResult,
  versionMismatch,
} from "./protocol.ts";
import { type CoordinatorTarget, formatTarget } from "./target.ts";

/** The coordinator is not there (connection refused, unreachable, timeout). */
export class CoordinatorUnreachable extends CliError {
  constructor(target: CoordinatorTarget) {
    super(
      `could not connect to the dora coordinator at ${
        formatTarget(target)
      }: is it running? (run \`dora up\`, or set --coordinator-addr/--coordinator-port or DORA_COORDINATOR_ADDR/DORA_COORDINATOR_PORT)`,
    );
    this.name = "CoordinatorUnreachable";
  }
}

/** Options for {@link connectCoordinator}. */
export interface ConnectOptions extends PeerOptions {
  role?: "cli" | "daemon";
  /** Extra `hello` parameters (daemons register through them). */
  hello?: Record<string, unknown>;
  /** Token to send; default: {@link findToken}. */
  token?: string;
  /** Give up opening after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

/**
 * Opens a control link to the coordinator and performs the handshake.
 * Throws {@link CliError}s with one actionable line.
 */
export async function connectCoordinator(
  target: CoordinatorTarget,
  opts: ConnectOptions = {},
): Promise<{ peer: Peer; hello: HelloResult & Record<string, unknown> }> {
  const role = opts.role ?? "cli";
  const host = target.addr.includes(":") ? `[${target.addr}]` : target.addr;
  const url = `ws://${host}:${target.port}${
    role === "cli" ? CONTROL_PATH : DAEMON_PATH
  }`;
  const token = opts.token ?? findToken();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  // Deno accepts request headers on the WebSocket constructor.
  const ws = new (WebSocket as unknown as new (
    url: string,
    opts: { headers: Record<string, string> },
  ) => WebSocket)(url, { headers });
  const peer = new Peer(ws, opts);
  const timer = setTimeout(
    () => peer.close(1000, "timeout"),
    opts.timeoutMs ?? 5000,
  );
  try {
    await peer.opened;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.includes("401")) {
      throw new CliError(
        `the dora coordinator at ${
          formatTarget(target)
        } requires an auth token: set DORA_AUTH_TOKEN or put the token (printed by \`dora coordinator --auth\`) in .dora-token`,
      );
    }
    if (msg.includes("403")) {
      throw new CliError(
        `the dora coordinator at ${
          formatTarget(target)
        } refused the auth token: check DORA_AUTH_TOKEN / .dora-token`,
      );
    }
    throw new CoordinatorUnreachable(target);
  } finally {
    clearTimeout(timer);
  }
  try {
    const hello = await peer.call<HelloResult & Record<string, unknown>>(
      "hello",
      { version: DORA_VERSION, role, ...opts.hello },
    );
    const mismatch = versionMismatch(
      {
        role: role === "cli" ? "this dora CLI" : "this daemon",
        version: DORA_VERSION,
      },
      { role: "the coordinator", version: hello.version },
    );
    if (mismatch) throw new CliError(mismatch);
    return { peer, hello };
  } catch (err) {
    peer.close(1000, "handshake failed");
    if (err instanceof RemoteError) throw new CliError(err.message);
    if (err instanceof CliError) throw err;
    throw new CoordinatorUnreachable(target);
  }
}

/**
 * Maps errors of a control link to one-line CLI errors: the remote message
 * verbatim, or a closed link explained. Other errors pass through.
 */
export function asCliError(err: unknown, target: CoordinatorTarget): unknown {
  if (err instanceof RemoteError) return new CliError(err.message);
  if (err instanceof LinkClosedError) {
    return new CliError(
      `the dora coordinator at ${
        formatTarget(target)
      } closed the connection before answering (did it stop? see \`dora status\`)`,
    );
  }
  return err;
}

/**
 * Connects, runs `fn`, and always closes the link. Remote errors become
 * {@link CliError}s.
 */
export async function withCoordinator<T>(
  target: CoordinatorTarget,
  fn: (peer: Peer) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const { peer } = await connectCoordinator(target, opts);
  try {
    return await fn(peer);
  } catch (err) {
    throw asCliError(err, target);
  } finally {
    peer.close(1000, "done");
  }
}
