/**
 * A zenoh session through zenoh-ts and a bridge's remote-api WebSocket, with
 * what a daemon needs on top of the library: a quick, clear error when the
 * bridge is not there (the library retries for minutes), the bridge's
 * version checked against zenoh-ts, puts kept in call order, and a promise
 * that settles when the WebSocket closes (the bridge died).
 *
 * @module
 */
import {
  Config,
  CongestionControl,
  Encoding,
  Reliability,
  Sample,
  Session,
} from "@eclipse-zenoh/zenoh-ts";
import { type Endpoint, parseEndpoint } from "./endpoint.ts";
import { NoDelayWebSocket } from "../no_delay_websocket.ts";
import { ZenohUnreachableError, ZenohVersionError } from "./errors.ts";
import { compatibleVersions, ZENOH_TS_VERSION } from "./version.ts";

/** A received sample, as plain values. */
export interface ZenohSample {
  key: string;
  payload: Uint8Array;
  attachment?: Uint8Array;
  encoding: string;
}

/** Options of one put. */
export interface PutOptions {
  attachment?: Uint8Array;
  /** A zenoh encoding such as `application/json`. */
  encoding?: string;
}

/** How long the WebSocket endpoint may take to accept a connection. */
const CONNECT_TIMEOUT_MS = 5000;
/** How long the session handshake and the version query may take. */
const OPEN_TIMEOUT_MS = 10_000;

/** An open session; see {@link openZenoh}. */
export class ZenohSession {
  readonly endpoint: string;
  /**
   * The bridge's version (`1.10.2`) from its admin space; undefined when it
   * did not say (the session works, the version was not checked).
   */
  readonly bridgeVersion: string | undefined;
  /** Settles once the connection to the bridge is gone. */
  readonly closed: Promise<void>;
  #session: Session;
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  #isClosed = false;

  private constructor(
    endpoint: string,
    session: Session,
    version: string | undefined,
    closed: Promise<void>,
  ) {
    this.endpoint = endpoint;
    this.#session = session;
    this.bridgeVersion = version;
    this.closed = closed.then(() => {
      this.#isClosed = true;
    });
  }

  /** Whether the connection to the bridge is gone. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Whether it runs on a {@link NoDelayWebSocket} (zenoh-ts let us). */
  get noDelay(): boolean {
    return wsOf(this.#session) instanceof NoDelayWebSocket;
  }

  /** Bytes handed to {@link put} and not yet written to the WebSocket. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /**
   * Publishes `payload` on `key`, reliably and blocking on congestion, after
   * every earlier put of this session (the library alone may reorder puts
   * that wait for its send buffer). Rejects when the bridge is gone.
   */
  put(key: string, payload: Uint8Array, opts: PutOptions = {}): Promise<void> {
    const size = payload.byteLength + (opts.attachment?.byteLength ?? 0);
    this.#queued += size;
    const run = this.#tail.then(() =>
      this.#session.put(key, payload, {
        congestionControl: CongestionControl.BLOCK,
        reliability: Reliability.RELIABLE,
        ...(opts.attachment ? { attachment: opts.attachment } : {}),
        ...(opts.encoding
          ? { encoding: Encoding.fromString(opts.encoding) }
          : {}),
      })
    ).finally(() => {
      this.#queued -= size;
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Resolves once every put so far was written. */
  async flush(): Promise<void> {
    await this.#tail;
  }

  /** Declares a subscriber on `key` (wildcards allowed). */
  async subscribe(
    key: string,
    onSample: (sample: ZenohSample) => void,
  ): Promise<{ undeclare(): Promise<void> }> {
    const sub = await this.#session.declareSubscriber(key, {
      handler: (s: Sample) => {
        const attachment = s.attachment()?.toBytes();
        onSample({
          key: s.keyexpr().toString(),
          payload: s.payload().toBytes(),
          encoding: s.encoding().toString(),
          ...(attachment ? { attachment } : {}),
        });
      },
    });
    return { undeclare: () => sub.undeclare() };
  }

  /** Closes the session (the bridge keeps running). */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    await this.#tail;
    await quiet(() => this.#session.close()).catch(() => {});
    this.#isClosed = true;
  }

  /**
   * Opens a session on the bridge at `endpoint` (`ws/HOST:PORT`).
   *
   * @throws {ZenohUnreachableError} nothing answers at the endpoint.
   * @throws {ZenohVersionError} the bridge is of another zenoh version.
   */
  static async open(endpoint: string): Promise<ZenohSession> {
    const ep = parseEndpoint(endpoint, ["ws"]);
    await probe(ep);
    const session = await withTimeout(
      quiet(() =>
        withNoDelaySocket(() => Session.open(new Config(ep.text, 2000)))
      ),
      OPEN_TIMEOUT_MS,
      () =>
        new ZenohUnreachableError(
          ep.text,
          `no zenoh remote-api session within ${
            OPEN_TIMEOUT_MS / 1000
          }s (is it a zenoh-bridge-remote-api WebSocket port?)`,
        ),
    ).catch((err) => {
      if (err instanceof ZenohUnreachableError) throw err;
      throw new ZenohUnreachableError(ep.text, String(err?.message ?? err));
    });
    const closed = watchClose(session);
    let version: string | undefined;
    try {
      version = await bridgeVersionOf(session);
    } catch {
      version = undefined;
    }
    if (
      version !== undefined && !compatibleVersions(ZENOH_TS_VERSION, version)
    ) {
      await quiet(() => session.close()).catch(() => {});
      throw new ZenohVersionError(ZENOH_TS_VERSION, version, `at ${ep.text}`);
    }
    return new ZenohSession(ep.text, session, version, closed);
  }
}

/**
 * A WebSocket handshake with the endpoint, so that "nothing there" fails at
 * once (zenoh-ts itself retries for minutes).
 */
export async function probe(
  ep: Endpoint,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<void> {
  const host = ep.host.includes(":") ? `[${ep.host}]` : ep.host;
  const ws = new WebSocket(`ws://${host}:${ep.port}`);
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (e) =>
      reject(
        new Error(
          (e as ErrorEvent).message?.replace(
            /^NetworkError: failed to connect to WebSocket: /,
            "",
          ) ||
            "connection failed",
        ),
      );
  });
  try {
    await withTimeout(
      opened,
      timeoutMs,
      () => new Error(`no answer within ${timeoutMs / 1000}s`),
    );
  } catch (err) {
    throw new ZenohUnreachableError(
      ep.text,
      await tcpReason(ep) ?? (err instanceof Error ? err.message : String(err)),
    );
  } finally {
    ws.onerror = null;
    ws.onopen = null;
    try {
      ws.close();
    } catch {
      // closed
    }
  }
}

/** Why a TCP connection to the endpoint fails, if it does. */
async function tcpReason(ep: Endpoint): Promise<string | undefined> {
  try {
    const c = await Deno.connect({ hostname: ep.host, port: ep.port });
    c.close();
    return undefined;
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) {
      return "connection refused (nothing listens there)";
    }
    return err instanceof Error ? err.message : String(err);
  }
}

/** The bridge's version from its admin space (`@/<zid>/remote-plugin/version`). */
async function bridgeVersionOf(session: Session): Promise<string | undefined> {
  const zid = (await session.info()).zid().toString();
  // A bridge that just started may not serve its admin space yet.
  const deadline = Date.now() + 5000;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    // The plugin's admin space answers the wildcard, not the exact key.
    const replies = await session.get(`@/${zid}/remote-plugin/**`);
    let version: unknown;
    if (replies) {
      for await (const reply of replies) {
        const r = reply.result();
        if (
          r instanceof Sample && r.keyexpr().toString().endsWith("/version")
        ) version = JSON.parse(r.payload().toString());
      }
    }
    if (typeof version === "string") return version.replace(/^v/, "");
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
  return undefined;
}

/**
 * Runs `open` with {@link NoDelayWebSocket} as the global WebSocket:
 * zenoh-ts creates its socket synchronously when a session opens (before
 * its first await), so only that socket is ours; the global is back before
 * anything else runs.
 */
function withNoDelaySocket<T>(open: () => T): T {
  const builtin = globalThis.WebSocket;
  globalThis.WebSocket = NoDelayWebSocket as unknown as typeof WebSocket;
  try {
    return open();
  } finally {
    globalThis.WebSocket = builtin;
  }
}

/**
 * The library logs to the console while connecting and on disconnect;
 * dora reports those events itself.
 */
async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = () => {};
  console.warn = () => {};
  try {
    return await f();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * Settles when the session's WebSocket closes. zenoh-ts 1.10 has no event
 * for it; its link object holds the socket (tests/zenoh/websocket_test.ts
 * checks that this shape still holds).
 */
function watchClose(session: Session): Promise<void> {
  const ws = wsOf(session);
  const { promise, resolve } = Promise.withResolvers<void>();
  if (!ws || ws.readyState >= NoDelayWebSocket.CLOSING) {
    resolve();
    return promise;
  }
  ws.onerror = () => {};
  ws.onclose = () => resolve();
  return promise;
}

/** The WebSocket under a zenoh-ts session (library internals, pinned version). */
export function wsOf(
  session: Session,
): NoDelayWebSocket | WebSocket | undefined {
  // deno-lint-ignore no-explicit-any
  const ws = (session as any).inner?.link?.ws;
  return ws instanceof NoDelayWebSocket || ws instanceof WebSocket
    ? ws
    : undefined;
}

function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  error: () => Error,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
