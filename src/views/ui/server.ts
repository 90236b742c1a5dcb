/**
 * `dora ui`'s server: the dashboard page (files shipped with dora) and its
 * WebSocket, fed by shared watches of the running dataflows. Loopback by
 * default; off loopback every request needs the coordinator's token (a
 * login page posts it once, and an HttpOnly cookie carries it from then
 * on, so it stays out of addresses and history). The page's WebSocket
 * must come from the page itself (same origin).
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { DORA_VERSION } from "../../version.ts";
import type { DoraAccess, ViewedDataflow } from "../access.ts";
import { tokensEqual } from "../../control/auth.ts";
import { listen, type Listening } from "../listen.ts";
import { Outbox } from "../outbox.ts";
import { POLL_MS } from "../watch.ts";
import { WatchPool } from "../watch_pool.ts";
import { ASSETS, LOGIN_PAGE } from "./assets.ts";
import {
  LOG_BATCH,
  TOPIC_MAX_BYTES,
  type UiServerMessage,
} from "./protocol.ts";
import { UiSession } from "./session.ts";

/** Options of {@linkcode serveUi}. */
export interface UiOptions {
  access: DoraAccess;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (0: a free one). */
  port: number;
  /** Required off loopback. */
  token?: string;
  /** A dataflow (uuid) to show first. */
  select?: string;
  /** How often node metrics are polled (default 1 s). */
  pollMs?: number;
  /** How often the list of dataflows is refreshed (default 2 s). */
  listMs?: number;
}

/** A running dashboard server. */
export interface UiServer {
  /** The page's address (never with the token in it). */
  url: string;
  /** Whether every request needs the token (off loopback). */
  guarded: boolean;
  port: number;
  /** Pages connected now. */
  readonly sessions: number;
  /** Dataflows watched now. */
  readonly watched: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The largest login form read (a token is 64 hex digits). */
const LOGIN_MAX_BYTES = 4096;

/** The cookie that carries the token after the login. */
function tokenCookie(token: string): string {
  return `dora_token=${
    encodeURIComponent(token)
  }; HttpOnly; SameSite=Strict; Path=/`;
}

/** The login page; `problem` is said above the field. */
function loginPage(status: number, problem?: string): Response {
  const body = problem
    ? LOGIN_PAGE.body.replace(
      "<!--problem-->",
      `<p class="problem">${problem}</p>`,
    )
    : LOGIN_PAGE.body;
  return new Response(body, {
    status,
    headers: { "content-type": LOGIN_PAGE.type, ...SECURITY_HEADERS },
  });
}

/** The `token` field of a small urlencoded form ("" if absent; undefined if too large). */
async function formToken(req: Request): Promise<string | undefined> {
  const buf = new Uint8Array(LOGIN_MAX_BYTES);
  let size = 0;
  for await (const chunk of req.body ?? []) {
    if (size + chunk.length > buf.length) return undefined;
    buf.set(chunk, size);
    size += chunk.length;
  }
  const text = new TextDecoder().decode(buf.subarray(0, size));
  return new URLSearchParams(text).get("token") ?? "";
}

/** Serves the dashboard. Throws `PortInUseError` / `TokenRequiredError`. */
export function serveUi(opts: UiOptions): UiServer {
  const pool = new WatchPool(opts.access, { pollMs: opts.pollMs });
  const sessions = new Set<UiSession>();
  let dataflows: ViewedDataflow[] = [];
  let listed = "";
  let refreshing: Promise<void> | undefined;
  const refresh = () =>
    refreshing ??= opts.access.list().then((list) => {
      dataflows = list;
      const key = JSON.stringify(list);
      if (key !== listed) {
        listed = key;
        for (const s of sessions) {
          s.send({ t: "dataflows", dataflows: list }, false);
        }
      }
    }, (err) => {
      for (const s of sessions) {
        s.send({
          t: "note",
          text: `cannot list dataflows: ${errorMessage(err)}`,
        });
      }
    }).finally(() => refreshing = undefined);
  const lister = setInterval(() => {
    if (sessions.size > 0) refresh();
  }, opts.listMs ?? 2000);

  const page = (path: string, extra: Record<string, string> = {}) => {
    const a = ASSETS[path]!;
    return new Response(a.body, {
      headers: { "content-type": a.type, ...SECURITY_HEADERS, ...extra },
    });
  };

  const upgrade = (req: Request): Response => {
    // Only the page itself: another site's page must not read the robot.
    const origin = req.headers.get("origin");
    const host = req.headers.get("host");
    if (origin !== null && origin !== `http://${host}`) {
      return new Response(`cross-origin WebSocket refused (${origin})\n`, {
        status: 403,
      });
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: 30,
    });
    const session = new UiSession(new Outbox(socket), {
      pool,
      dataflows: () => dataflows,
    });
    socket.onopen = async () => {
      sessions.add(session);
      await refresh();
      const select = opts.select ??
        (dataflows.length === 1 ? dataflows[0]!.uuid : undefined);
      const hello: UiServerMessage = {
        t: "hello",
        version: DORA_VERSION,
        dataflows,
        ...(select ? { select } : {}),
        limits: {
          logBatch: LOG_BATCH,
          topicMaxBytes: TOPIC_MAX_BYTES,
          pollMs: opts.pollMs ?? POLL_MS,
        },
      };
      session.send(hello, false);
    };
    socket.onmessage = (e) => {
      if (typeof e.data === "string") session.receive(e.data);
    };
    // However the page goes (closed tab, killed browser, lost network).
    socket.onclose = () => {
      sessions.delete(session);
      session.close();
    };
    socket.onerror = () => {};
    return response;
  };

  // `POST /login` (the login page's form): the right token sets the
  // cookie, anything else shows the page again.
  const login = async (req: Request, token: string): Promise<Response> => {
    const given = await formToken(req);
    if (given === undefined) {
      return new Response("login form too large\n", { status: 413 });
    }
    if (!given || !tokensEqual(given, token)) {
      return loginPage(given ? 403 : 401, given ? "wrong token" : undefined);
    }
    return new Response(null, {
      status: 303,
      headers: { location: "/", "set-cookie": tokenCookie(token) },
    });
  };

  let guarded = false;
  const listening: Listening = listen(
    {
      host: opts.host,
      port: opts.port,
      portFlag: "--port",
      token: opts.token,
    },
    (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/ws") return upgrade(req);
      if (url.pathname === "/login" && req.method === "POST" && guarded) {
        return login(req, opts.token!);
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        return new Response("method not allowed\n", { status: 405 });
      }
      if (guarded && url.searchParams.has("token") && url.pathname === "/") {
        // The token came in the address (a link): keep it in a cookie and
        // drop it from the address bar.
        return new Response(null, {
          status: 303,
          headers: {
            location: url.searchParams.has("dataflow")
              ? `/?dataflow=${
                encodeURIComponent(url.searchParams.get("dataflow")!)
              }`
              : "/",
            "set-cookie": tokenCookie(opts.token!),
          },
        });
      }
      if (url.pathname in ASSETS) return page(url.pathname);
      if (url.pathname === "/favicon.ico") {
        return new Response(null, { status: 204 });
      }
      return new Response("not found\n", { status: 404 });
    },
    (req, given) => {
      const path = new URL(req.url).pathname;
      // The login page's style holds nothing worth a token.
      if (path === "/style.css") return page(path);
      if (path === "/login" && req.method === "POST") {
        return login(req, opts.token!);
      }
      if (path === "/" && req.method === "GET") {
        return loginPage(
          given ? 403 : 401,
          given ? "wrong or outdated token" : undefined,
        );
      }
      return new Response(given ? "invalid token\n" : "token required\n", {
        status: given ? 403 : 401,
      });
    },
  );
  guarded = listening.guarded;
  const shownHost = listening.host.includes(":")
    ? `[${listening.host}]`
    : listening.host === "0.0.0.0"
    ? "127.0.0.1"
    : listening.host;
  const base = `http://${shownHost}:${listening.port}/`;
  return {
    url: base,
    guarded,
    port: listening.port,
    get sessions() {
      return sessions.size;
    },
    get watched() {
      return pool.size;
    },
    async close() {
      clearInterval(lister);
      for (const s of sessions) {
        try {
          s.out.ws.close(1001, "dora ui stopped");
        } catch {
          // closing already
        }
        s.close();
      }
      sessions.clear();
      await pool.closeAll();
      await listening.close();
    },
  };
}
