import assert from "node:assert/strict";
import { LinkClosedError, Peer, RemoteError } from "./peer.ts";

/** A WebSocket server on a free port whose peers answer `add` and push events. */
function serve() {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      new Peer(socket, {
        onRequest: (method, params, peer) => {
          const p = params as { a: number; b: number };
          if (method === "add") {
            peer.notify("added", { sum: p.a + p.b });
            return p.a + p.b;
          }
          if (method === "bye") {
            setTimeout(() => peer.close(1000, "bye"), 0);
            return new Promise(() => {}); // never answers
          }
          throw new Error(`unknown method '${method}'`);
        },
      });
      return response;
    },
  );
  return { port: server.addr.port, close: () => (ac.abort(), server.finished) };
}

Deno.test("Peer.call() resolves results, rejects errors and receives events", async () => {
  const s = serve();
  const events: unknown[] = [];
  const peer = new Peer(new WebSocket(`ws://127.0.0.1:${s.port}/`), {
    onEvent: (_e, payload) => events.push(payload),
  });
  await peer.opened;
  assert.equal(await peer.call("add", { a: 2, b: 3 }), 5);
  assert.deepEqual(events, [{ sum: 5 }]);
  await assert.rejects(
    peer.call("nope"),
    (e) => e instanceof RemoteError && /unknown method 'nope'/.test(e.message),
  );
  await assert.rejects(peer.call("bye"), LinkClosedError);
  await peer.closed;
  await s.close();
});

Deno.test("Peer.opened rejects when nothing listens", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const peer = new Peer(new WebSocket(`ws://127.0.0.1:${port}/`));
  await assert.rejects(peer.opened, LinkClosedError);
  await assert.rejects(peer.call("x"), LinkClosedError);
});
