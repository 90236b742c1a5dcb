/**
 * The WebSocket a zenoh session runs on: each frame in one write on a
 * no-delay socket. Against Deno's own WebSocket server (messages of every
 * length encoding intact and in order, both closing handshakes), then on
 * two linked bridges: sessions use it, and a 4 KB put and its answer do not
 * wait for a delayed ACK (~40 ms per round trip before).
 */
import assert from "node:assert/strict";
import { NoDelayWebSocket } from "../../src/no_delay_websocket.ts";
import { SupervisedBridge, ZenohSession } from "../../src/zenoh/mod.ts";
import { freePort } from "../_support/cluster.ts";
import { zenohBridge } from "../_support/zenoh.ts";

/** A WebSocket echo server; "bye" makes it close with 4000. */
function echoServer(): { url: string; server: Deno.HttpServer } {
  const port = freePort();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.binaryType = "arraybuffer";
      socket.onmessage = (e) => {
        if (e.data === "bye") socket.close(4000, "asked to");
        else socket.send(e.data);
      };
      return response;
    },
  );
  return { url: `ws://127.0.0.1:${port}/`, server };
}

function opened(ws: NoDelayWebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("WebSocket error"));
  });
}

function closed(ws: NoDelayWebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => ws.onclose = (e) => resolve(e));
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

Deno.test("NoDelayWebSocket: text and binary messages of every length encoding arrive intact and in order; both sides can close", async () => {
  const { url, server } = echoServer();
  try {
    const ws = new NoDelayWebSocket(url);
    ws.binaryType = "arraybuffer";
    await opened(ws);
    const sizes = [0, 1, 125, 126, 4096, 65535, 65536, 4 << 20];
    const got: (string | ArrayBuffer)[] = [];
    const all = Promise.withResolvers<void>();
    ws.onmessage = (e) => {
      got.push(e.data);
      if (got.length === sizes.length + 1) all.resolve();
    };
    ws.send("héllo");
    // A view into a bigger buffer: only its bytes go out.
    for (const [i, n] of sizes.entries()) {
      const big = pattern(n + 8, i);
      ws.send(big.subarray(3, 3 + n));
    }
    await all.promise;
    assert.equal(got[0], "héllo");
    for (const [i, n] of sizes.entries()) {
      const b = new Uint8Array(got[i + 1] as ArrayBuffer);
      assert.deepEqual(b, pattern(n + 8, i).subarray(3, 3 + n), `${n} bytes`);
    }
    assert.equal(ws.bufferedAmount, 0);
    const byServer = closed(ws);
    ws.send("bye");
    const e = await byServer;
    assert.equal(e.code, 4000);
    assert.equal(e.reason, "asked to");
    assert.equal(ws.readyState, NoDelayWebSocket.CLOSED);

    const ws2 = new NoDelayWebSocket(url);
    await opened(ws2);
    const byClient = closed(ws2);
    ws2.close();
    assert.equal(ws2.readyState, NoDelayWebSocket.CLOSING);
    const e2 = await byClient;
    assert.equal(e2.code, 1000);
    assert.ok(e2.wasClean);
  } finally {
    await server.shutdown();
  }
});

Deno.test("NoDelayWebSocket: nothing listening gives an error, then a close", async () => {
  const ws = new NoDelayWebSocket(`ws://127.0.0.1:${freePort()}/`);
  const events: string[] = [];
  ws.onerror = () => events.push("error");
  const e = await closed(ws);
  assert.deepEqual(events, ["error"]);
  assert.equal(e.code, 1006);
});

Deno.test("zenoh sessions run on a no-delay WebSocket: 4 KB puts answered across two bridges without a delayed-ACK wait, 4 MB intact", async () => {
  const zA = freePort();
  const logs: string[] = [];
  const start = (connect: string[]) =>
    SupervisedBridge.start({
      program: zenohBridge(),
      endpoint: `ws/127.0.0.1:${freePort()}`,
      listen: [`tcp/127.0.0.1:${connect.length ? freePort() : zA}`],
      connect,
      log: (l) => logs.push(l),
    });
  const bridges: SupervisedBridge[] = [];
  const sessions: ZenohSession[] = [];
  try {
    bridges.push(await start([]));
    bridges.push(await start([`tcp/127.0.0.1:${zA}`]));
    for (const b of bridges) sessions.push(await ZenohSession.open(b.ws.text));
    const [a, b] = sessions;
    for (const s of sessions) {
      assert.ok(s.noDelay, "a session on Deno's WebSocket");
    }
    // B answers every ping with 8 bytes; A times the round trips.
    await b.subscribe("test/ws/ping", (s) => {
      b.put("test/ws/pong", new Uint8Array(8), { attachment: s.attachment });
    });
    let answer = Promise.withResolvers<Uint8Array>();
    const big = Promise.withResolvers<Uint8Array>();
    await a.subscribe("test/ws/pong", (s) => answer.resolve(s.attachment!));
    await b.subscribe("test/ws/big", (s) => big.resolve(s.payload));
    // Until the bridges are linked, pings are lost: retry the first.
    for (let linked = false; !linked;) {
      answer = Promise.withResolvers();
      await a.put("test/ws/ping", new Uint8Array(4096), {
        attachment: new Uint8Array([0]),
      });
      linked = await Promise.race([
        answer.promise.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
      ]);
    }
    const rtts: number[] = [];
    for (let i = 1; i <= 40; i++) {
      answer = Promise.withResolvers();
      const t0 = performance.now();
      await a.put("test/ws/ping", new Uint8Array(4096), {
        attachment: new Uint8Array([i]),
      });
      assert.equal((await answer.promise)[0], i);
      rtts.push(performance.now() - t0);
    }
    rtts.sort((x, y) => x - y);
    const median = rtts[rtts.length >> 1];
    assert.ok(
      median < 20,
      `4 KB round trip median ${median.toFixed(1)} ms (a delayed ACK is 40)`,
    );
    const payload = pattern(4 << 20, 5);
    await a.put("test/ws/big", payload);
    assert.deepEqual(await big.promise, payload);
  } finally {
    for (const s of sessions) await s.close();
    for (const b of bridges) await b.stop();
  }
});
