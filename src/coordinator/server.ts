/**
 * The coordinator's WebSocket server: `/api/control` for the CLI,
 * `/api/daemon` for daemons, `/health` for probes. A request with an
 * `Origin` header comes from a web page and is refused (dora has no browser
 * client); every upgrade needs `Authorization: Bearer <token>` when the
 * coordinator has a token (the default, see docs/security.md).
 *
 * @module
 */
import { tokensEqual } from "../control/auth.ts";
import { Peer } from "../control/peer.ts";
import { CONTROL_PATH, DAEMON_PATH } from "../control/protocol.ts";
import { cliHandler } from "./cli_api.ts";
import type { Coordinator } from "./coordinator.ts";

/** A running server. */
export interface CoordinatorServer {
  port: number;
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

/** Serves `coordinator` on `hostname:port` (port 0 picks a free one). */
export function serveCoordinator(
  coordinator: Coordinator,
  opts: { hostname: string; port: number; token?: string },
): CoordinatorServer {
  const ac = new AbortController();
  const peers = new Set<Peer>();
  const onCli = cliHandler(coordinator);
  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    signal: ac.signal,
    onListen() {},
  }, (req, info) => {
    const url = new URL(req.url);
    // Read before the upgrade: the request is consumed by it.
    const remoteHost = (info.remoteAddr as Deno.NetAddr).hostname;
    if (url.pathname === "/health") return new Response("ok\n");
    if (url.pathname !== CONTROL_PATH && url.pathname !== DAEMON_PATH) {
      return new Response("not found\n", { status: 404 });
    }
    // Browsers always send Origin on a WebSocket upgrade and let any page
    // open one to 127.0.0.1; dora's own clients never send it.
    if (req.headers.has("origin")) {
      return new Response(
        "cross-origin requests are refused: web pages cannot use the dora control plane\n",
        { status: 403 },
      );
    }
    if (opts.token !== undefined) {
      const header = req.headers.get("authorization") ?? "";
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) {
        return new Response(
          "authentication required: send Authorization: Bearer <token>\n",
          {
            status: 401,
          },
        );
      }
      if (!tokensEqual(m[1], opts.token)) {
        return new Response("invalid token\n", { status: 403 });
      }
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: 0,
    });
    let peer: Peer;
    if (url.pathname === CONTROL_PATH) {
      peer = new Peer(socket, { onRequest: onCli });
    } else {
      peer = new Peer(socket, {
        onRequest: (method, params, p) => {
          if (method === "hello") {
            // deno-lint-ignore no-explicit-any
            return coordinator.daemonHello(p, params as any);
          }
          throw new Error(`unknown method "${method}"`);
        },
        onEvent: (event, payload, p) =>
          coordinator.onDaemonEvent(p, event, payload),
        onClose: (p) => coordinator.onDaemonClose(p),
      });
    }
    peer.data.remoteHost = remoteHost;
    peers.add(peer);
    peer.closed.then(() => peers.delete(peer));
    return response;
  });
  return {
    port: server.addr.port,
    finished: server.finished,
    async shutdown() {
      for (const p of peers) p.close(1001, "coordinator shutting down");
      try {
        ac.abort();
      } catch {
        // the listener is already gone
      }
      await server.finished;
    },
  };
}
