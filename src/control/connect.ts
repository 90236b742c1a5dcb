/**
 * Opening a control link to a coordinator: WebSocket, bearer token, version
 * handshake. Every way it can fail is an error class the caller branches on
 * (the CLI turns them into one actionable line each; the daemon retries).
 *
 * @module
 */
import { DORA_VERSION } from "../version.ts";
import { NoDelayWebSocket } from "../no_delay_websocket.ts";
import { tokenCandidates } from "./auth.ts";
import { Peer, type PeerOptions, RemoteError } from "./peer.ts";
import {
  CONTROL_PATH,
  DAEMON_PATH,
  type HelloResult,
  versionMismatch,
  VersionMismatchError,
} from "./protocol.ts";
import { type CoordinatorTarget, formatTarget } from "./target.ts";

/** The coordinator is not there (connection refused, unreachable, timeout). */
export class CoordinatorUnreachableError extends Error {
  constructor(readonly target: CoordinatorTarget) {
    super(
      `could not connect to the dora coordinator at ${formatTarget(target)}`,
    );
    this.name = "CoordinatorUnreachableError";
  }
}

/**
 * The coordinator refused the link: `missing` when it needs a token and none
 * was sent, `refused` when the token sent is wrong.
 */
export class ControlAuthError extends Error {
  constructor(
    readonly target: CoordinatorTarget,
    readonly kind: "missing" | "refused",
  ) {
    super(
      `the dora coordinator at ${formatTarget(target)} ${
        kind === "missing" ? "requires an auth token" : "refused the auth token"
      }`,
    );
    this.name = "ControlAuthError";
  }
}

/** Options for {@link connectCoordinator}. */
export interface ConnectOptions extends PeerOptions {
  role?: "cli" | "daemon";
  /** Extra `hello` parameters (daemons register through them). */
  hello?: Record<string, unknown>;
  /** Token to send; default: each of {@link tokenCandidates} in turn. */
  token?: string;
  /** Give up opening after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

/**
 * Opens a control link to the coordinator and performs the handshake.
 * Throws {@link CoordinatorUnreachableError}, {@link ControlAuthError},
 * {@link VersionMismatchError} or {@link RemoteError}.
 */
export async function connectCoordinator(
  target: CoordinatorTarget,
  opts: ConnectOptions = {},
): Promise<{ peer: Peer; hello: HelloResult & Record<string, unknown> }> {
  const tokens = opts.token !== undefined ? [opts.token] : tokenCandidates();
  for (let i = 0;; i++) {
    try {
      return await connectWith(target, opts, tokens[i]);
    } catch (err) {
      const next = i + 1 < tokens.length;
      if (!(next && err instanceof ControlAuthError)) throw err;
    }
  }
}

/** One attempt of {@link connectCoordinator} with `token` (or none). */
async function connectWith(
  target: CoordinatorTarget,
  opts: ConnectOptions,
  token: string | undefined,
): Promise<{ peer: Peer; hello: HelloResult & Record<string, unknown> }> {
  const role = opts.role ?? "cli";
  const host = target.addr.includes(":") ? `[${target.addr}]` : target.addr;
  const path = role === "cli" ? CONTROL_PATH : DAEMON_PATH;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  // Requests over 1 KiB (a descriptor, a node's YAML) would wait 40 ms each
  // on Deno's WebSocket (no TCP_NODELAY, header and payload written apart).
  const ws = new NoDelayWebSocket(`ws://${host}:${target.port}${path}`, {
    headers,
  }) as unknown as WebSocket;
  const peer = new Peer(ws, opts);
  const timer = setTimeout(
    () => peer.close(1000, "timeout"),
    opts.timeoutMs ?? 5000,
  );
  try {
    await peer.opened;
  } catch {
    throw await whyRefused(
      target,
      `http://${host}:${target.port}${path}`,
      headers,
    );
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
    if (mismatch) throw new VersionMismatchError(mismatch);
    return { peer, hello };
  } catch (err) {
    peer.close(1000, "handshake failed");
    if (err instanceof RemoteError && err.code === "version_mismatch") {
      throw new VersionMismatchError(err.message);
    }
    if (err instanceof VersionMismatchError || err instanceof RemoteError) {
      throw err;
    }
    throw new CoordinatorUnreachableError(target);
  }
}

/**
 * A WebSocket that failed to open does not say why; a plain request to the
 * same path does (401 without a token, 403 with a wrong one).
 */
async function whyRefused(
  target: CoordinatorTarget,
  url: string,
  headers: Record<string, string>,
): Promise<Error> {
  try {
    const res = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    if (res.status === 401) return new ControlAuthError(target, "missing");
    if (res.status === 403) return new ControlAuthError(target, "refused");
  } catch {
    // unreachable: the answer below
  }
  return new CoordinatorUnreachableError(target);
}
