/**
 * How a view server listens: on loopback by default, off loopback only with
 * a token (the coordinator's), a port in use named in one clear error, and
 * the checks every request passes before it reaches a view: the `Host`
 * header (a web page on another site must not reach a loopback server by
 * rebinding its own name to 127.0.0.1) and the token when one is required.
 * The token is compared in constant time and never written anywhere: not
 * in an answer, not in a log line.
 *
 * @module
 */
import { isTrustedLoopback, tokensEqual } from "../control/auth.ts";

/** The port of a view server is taken. */
export class PortInUseError extends Error {
  readonly code = "port_in_use";
  constructor(readonly host: string, readonly port: number, flag: string) {
    super(
      `port ${port} on ${host} is already in use (another dora view or program listens there): choose another with \`${flag} PORT\``,
    );
    this.name = "PortInUseError";
  }
}

/** A view server bound off loopback without a token to protect it. */
export class TokenRequiredError extends Error {
  readonly code = "token_required";
  constructor(readonly host: string) {
    super(
      `listening on "${host}" (off loopback) needs the coordinator's token (DORA_AUTH_TOKEN, ./.dora-token, or the token file of the state dir), or listen on 127.0.0.1`,
    );
    this.name = "TokenRequiredError";
  }
}

/** Where and how a view server listens. */
export interface ListenOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  port: number;
  /** The flag that sets the port (named when the port is taken). */
  portFlag: string;
  /** Required off loopback; every request must then present it. */
  token?: string;
}

/** A running view server. */
export interface Listening {
  host: string;
  port: number;
  /** Whether requests must carry the token. */
  guarded: boolean;
  /** Stops listening and waits until it stopped. */
  close(): Promise<void>;
}

/** Whether `host` binds loopback only. */
export function isLoopback(host: string): boolean {
  return isTrustedLoopback(host) || /^127\./.test(host);
}

/** The subprotocol prefix a WebSocket client may carry the token in. */
export const TOKEN_SUBPROTOCOL = "dora.token.";

/**
 * The tokens a request carries, from the most to the least private place:
 * an `Authorization: Bearer` header, a `dora.token.<token>` WebSocket
 * subprotocol (a browser can set those, not headers), the dashboard's
 * `dora_token` cookie, and last the `token` query parameter (the only
 * place Foxglove and Lichtblick can put it). All are tried, so a stale
 * cookie does not hide a right token in the address.
 */
export function requestTokens(req: Request): string[] {
  const out: string[] = [];
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (m) out.push(m[1]!);
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",")
    .map((p) => p.trim());
  const sub = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL));
  if (sub) out.push(sub.slice(TOKEN_SUBPROTOCOL.length));
  const c = /(?:^|;\s*)dora_token=([^;]+)/.exec(
    req.headers.get("cookie") ?? "",
  );
  if (c) {
    try {
      out.push(decodeURIComponent(c[1]!));
    } catch {
      out.push(c[1]!);
    }
  }
  const q = new URL(req.url).searchParams.get("token");
  if (q) out.push(q);
  return out.filter((t) => t.length > 0);
}

/**
 * Whether the `Host` header names this server on loopback (`127.0.0.1:P`,
 * `localhost:P`, `[::1]:P`). Off loopback any name is fine: the token
 * guards it.
 */
export function hostAllowed(req: Request, port: number): boolean {
  const host = req.headers.get("host");
  if (host === null) return true; // not a browser
  const names = ["127.0.0.1", "localhost", "[::1]"];
  return names.some((n) => host === `${n}:${port}` || host === n);
}

/**
 * Serves `handler` on `opts.host:opts.port` (0: a free port). Requests with
 * a foreign `Host` on loopback get 421; requests without the token (when
 * one is required) get `unauthorized(req, given)` (default: a plain 401,
 * or 403 for a wrong token; neither says anything about the token).
 */
export function listen(
  opts: ListenOptions,
  handler: (
    req: Request,
    info: Deno.ServeHandlerInfo,
  ) => Response | Promise<Response>,
  unauthorized?: (
    req: Request,
    given: string | undefined,
  ) => Response | Promise<Response>,
): Listening {
  const host = opts.host ?? "127.0.0.1";
  const loopback = isLoopback(host);
  if (!loopback && !opts.token) throw new TokenRequiredError(host);
  const token = loopback ? undefined : opts.token;
  const ac = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: host,
      port: opts.port,
      signal: ac.signal,
      onListen() {},
    }, (req, info) => {
      if (loopback && !hostAllowed(req, server.addr.port)) {
        return new Response(
          `this dora view answers only to 127.0.0.1:${server.addr.port} or localhost:${server.addr.port}\n`,
          { status: 421 },
        );
      }
      if (token) {
        const tokens = requestTokens(req);
        // Every candidate is compared (no early exit on the first match).
        const ok = tokens.map((t) => tokensEqual(t, token)).includes(true);
        if (!ok) {
          const given = tokens[0];
          return unauthorized?.(req, given) ?? new Response(
            given ? "invalid token\n" : "this dora view needs the token\n",
            { status: given ? 403 : 401 },
          );
        }
      }
      return handler(req, info);
    });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new PortInUseError(host, opts.port, opts.portFlag);
    }
    throw err;
  }
  return {
    host,
    port: server.addr.port,
    guarded: token !== undefined,
    async close() {
      try {
        ac.abort();
      } catch {
        // already stopped
      }
      await server.finished;
    },
  };
}
