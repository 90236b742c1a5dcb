import assert from "node:assert/strict";
import { TcpTransport } from "./tcp.ts";
import type { InterDaemonMessage } from "./types.ts";

Deno.test("TcpTransport delivers messages in order with payloads, then closing", async () => {
  const received: [InterDaemonMessage, Uint8Array | null][] = [];
  const done = Promise.withResolvers<void>();
  const server = new TcpTransport();
  const addr = await server.listen("127.0.0.1", 0, (msg, payload) => {
    received.push([msg, payload]);
    if (msg.t === "closed") done.resolve();
  });
  const client = new TcpTransport();
  for (let i = 0; i < 500; i++) {
    const payload = i % 100 === 0
      ? new Uint8Array(100_000).fill(i % 251)
      : null;
    client.send(addr, {
      t: "output",
      df: "d",
      node: "a",
      output: "o",
      m: { seq: i },
    }, payload);
  }
  client.send(addr, { t: "closed", df: "d", node: "a", outputs: ["o"] });
  await client.flush(addr);
  await done.promise;
  assert.equal(received.length, 501);
  received.slice(0, 500).forEach(([msg, payload], i) => {
    assert.equal(msg.t, "output");
    assert.deepEqual((msg as { m: unknown }).m, { seq: i });
    if (i % 100 === 0) {
      assert.equal(payload?.length, 100_000);
      assert.ok(payload!.every((b) => b === i % 251));
      assert.equal(payload!.byteOffset % 64, 0);
    } else assert.equal(payload, null);
  });
  client.close();
  server.close();
});
