/**
 * `dora foxglove`'s server: the Foxglove WebSocket protocol over
 * `Deno.serve`, for one dataflow at a time (`-d`, or the only one running;
 * when it ends the server waits for the next). Loopback by default, off
 * loopback with the coordinator's token: as `?token=` in the address for
 * Foxglove and Lichtblick (a browser cannot set WebSocket headers), or as
 * a bearer header or `dora.token.<token>` subprotocol for clients that can
 * send one. Browser pages only from the Foxglove and Lichtblick apps,
 * loopback and local files unless `--allow-origin` says otherwise.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { DORA_VERSION } from "../../version.ts";
import {
  describeViewed,
  type DoraAccess,
  NoDataflowError,
  pickDataflow,
} from "../access.ts";
import { listen, type Listening } from "../listen.ts";
import { DEFAULT_OUTBOX, Outbox } from "../outbox.ts";
import { WatchPool } from "../watch_pool.ts";
import { FoxgloveFeed } from "./feed.ts";
import { chooseSubprotocol, SUBPROTOCOLS } from "./protocol.ts";
import { FoxgloveSession } from "./session.ts";

/** Options of {@linkcode serveFoxglove}. */
export interface FoxgloveOptions {
  access: DoraAccess;
  /** The dataflow to serve (uuid, name or prefix); default: the only one running. */
  ref?: string;
  host?: string;
  /** Port (0: a free one). */
  port: number;
  /** Required off loopback. */
  token?: string;
  /** Messages larger than this are skipped with a note (default 16 MiB). */
  maxMessageBytes?: number;
  /** Subscriptions per client (default 512). */
  maxSubscriptions?: number;
  /** Origins allowed besides the defaults; `*` allows any. */
  allowOrigins?: string[];
  /** How long the probe of new outputs waits (default 1.5 s). */
  probeMs?: number;
}

/** A running Foxglove server. */
export interface FoxgloveServer {
  /** The WebSocket address to give Foxglove (`ws://127.0.0.1:8765`), never with the token. */
  url: string;
  /** Whether every connection needs the token (off loopback). */
  guarded: boolean;
  port: number;
  readonly clients: number;
  close(): Promise<void>;
}

/** Default size cap of one message. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Page origins accepted by default (no Origin at all is always accepted). */
export const DEFAULT_ORIGINS = [
  "https://app.foxglove.dev",
  "https://studio.foxglove.dev",
  "https://lichtblick-suite.github.io",
  "null",
  "file://",
];

/** Whether a WebSocket from a page of `origin` may connect. */
export function originAllowed(
  origin: string | null,
  allowed: string[],
): boolean {
  if (origin === null) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  if (DEFAULT_ORIGINS.includes(origin)) return true;
  return /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);
}

/** Serves the Foxglove WebSocket protocol. Throws `PortInUseError` / `TokenRequiredError`. */
export function serveFoxglove(opts: FoxgloveOptions): FoxgloveServer {
  const pool = new WatchPool(opts.access);
  const sessions = new Set<FoxgloveSession>();
  const limits = {
    maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSubscriptions: opts.maxSubscriptions ?? 512,
  };
  // The client's buffer holds a few of the largest messages at most.
  const outbox = {
    softBytes: Math.max(DEFAULT_OUTBOX.softBytes, 2 * limits.maxMessageBytes),
    hardBytes: Math.max(DEFAULT_OUTBOX.hardBytes, 8 * limits.maxMessageBytes),
  };
  let feed: FoxgloveFeed | undefined;
  let opening: Promise<FoxgloveFeed | undefined> | undefined;
  let waitingWhy = "";

  /** The feed of the dataflow to serve now (opened once, shared). */
  const current = (): Promise<FoxgloveFeed | undefined> => {
    if (feed && !feed.ended) return Promise.resolve(feed);
    return opening ??= (async () => {
      if (feed) {
        feed.close();
        feed = undefined;
      }
      try {
        const d = pickDataflow(await opts.access.list(), opts.ref);
        feed = await FoxgloveFeed.open(pool, d, { probeMs: opts.probeMs });
        waitingWhy = "";
        return feed;
      } catch (err) {
        waitingWhy = err instanceof NoDataflowError
          ? `${err.message}; waiting for one`
          : errorMessage(err);
        return undefined;
      }
    })().finally(() => opening = undefined);
  };

  // Follows the dataflow: when it ends, clients are told and the next one
  // (if any) is served.
  const follow = setInterval(async () => {
    if (sessions.size === 0) return;
    const all = [...sessions];
    if (feed && !feed.ended && all.every((s) => s.feed === feed)) return;
    const ended = feed?.ended ? feed : undefined;
    const next = await current();
    for (const s of sessions) {
      if (s.feed === next) continue;
      s.attach(
        next ?? null,
        ended && s.feed === ended
          ? `dataflow ${
            describeViewed(ended.dataflow)
          } ended (${ended.ended}); ${waitingWhy}`
          : waitingWhy,
      );
    }
  }, 1000);

  const upgrade = (req: Request): Response => {
    const origin = req.headers.get("origin");
    if (!originAllowed(origin, opts.allowOrigins ?? [])) {
      console.error(
        `dora foxglove: refused a connection from a page of ${origin} (allow it with --allow-origin ${origin})`,
      );
      return new Response(
        `connections from pages of ${origin} are refused (dora foxglove --allow-origin)\n`,
        { status: 403 },
      );
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(
        `this is a Foxglove WebSocket server: connect Foxglove or Lichtblick to ws://${
          req.headers.get("host")
        }\n`,
        { status: 426 },
      );
    }
    const protocol = chooseSubprotocol(
      req.headers.get("sec-websocket-protocol"),
    );
    if (!protocol) {
      return new Response(
        `a Foxglove WebSocket subprotocol is required (${
          SUBPROTOCOLS.join(" or ")
        })\n`,
        { status: 400 },
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      protocol,
      idleTimeout: 30,
    });
    socket.binaryType = "arraybuffer";
    const session = new FoxgloveSession(new Outbox(socket, outbox), limits);
    socket.onopen = async () => {
      sessions.add(session);
      session.send({
        op: "serverInfo",
        name: `dora ${DORA_VERSION}`,
        capabilities: ["parameters", "parametersSubscribe", "connectionGraph"],
        supportedEncodings: [],
        metadata: { dora_version: DORA_VERSION },
        sessionId: crypto.randomUUID(),
      });
      const f = await current();
      if (!session.out.open) return;
      session.attach(f ?? null, waitingWhy);
    };
    socket.onmessage = (e) => {
      if (typeof e.data === "string") session.receive(e.data);
      else {
        session.status(
          2,
          "this server takes no client messages (clientPublish is not offered)",
        );
      }
    };
    // However the client goes (closed window, killed app, lost network).
    socket.onclose = () => {
      sessions.delete(session);
      session.close();
    };
    socket.onerror = () => {};
    return response;
  };

  const listening: Listening = listen(
    {
      host: opts.host,
      port: opts.port,
      portFlag: "--port",
      token: opts.token,
    },
    (req) => upgrade(req),
  );
  const shownHost = listening.host.includes(":")
    ? `[${listening.host}]`
    : listening.host === "0.0.0.0"
    ? "127.0.0.1"
    : listening.host;
  return {
    url: `ws://${shownHost}:${listening.port}`,
    guarded: listening.guarded,
    port: listening.port,
    get clients() {
      return sessions.size;
    },
    async close() {
      clearInterval(follow);
      for (const s of sessions) {
        try {
          s.out.ws.close(1001, "dora foxglove stopped");
        } catch {
          // closing already
        }
        s.close();
      }
      sessions.clear();
      await opening?.catch(() => {});
      feed?.close();
      await pool.closeAll();
      await listening.close();
    },
  };
}
