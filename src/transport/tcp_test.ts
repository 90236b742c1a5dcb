import assert from "node:assert/strict";
import { FrameReader } from "../message/frame_reader.ts";
import { FrameWriter } from "../message/frame_writer.ts";
import { sameSecret } from "./secret.ts";
import { TcpTransport } from "./tcp.ts";
import type { DataAddress, InterDaemonMessage } from "./types.ts";

Deno.test("TcpTransport delivers messages in order with payloads, then closing", async () => {
  const received: [InterDaemonMessage, Uint8Array | null][] = [];
  const done = Promise.withResolvers<void>();
  const server = new TcpTransport();
  server.authorize("d", "s3cret");
  const addr = await server.listen("127.0.0.1", 0, (msg, payload) => {
    received.push([msg, payload]);
    if (msg.t === "closed") done.resolve();
  });
  const client = new TcpTransport();
  client.authorize("d", "s3cret");
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

/** A server that records what it delivers and what it refuses. */
async function guardedServer(): Promise<{
  server: TcpTransport;
  addr: DataAddress;
  delivered: InterDaemonMessage[];
  refusal: Promise<string>;
}> {
  const delivered: InterDaemonMessage[] = [];
  const refusal = Promise.withResolvers<string>();
  const server = new TcpTransport((m) => refusal.resolve(m));
  server.authorize("d", "right");
  const addr = await server.listen("127.0.0.1", 0, (msg) => {
    delivered.push(msg);
  });
  return { server, addr, delivered, refusal: refusal.promise };
}

/** Opens a raw connection, writes `frames`, and resolves once the server closed it. */
async function rawClient(addr: DataAddress, frames: object[]): Promise<void> {
  const conn = await Deno.connect({ hostname: addr.host, port: addr.port });
  const writer = new FrameWriter(conn);
  for (const f of frames) writer.pushJson(JSON.stringify(f));
  await writer.flush();
  // The server closes a refused link: the read ends.
  assert.equal(await new FrameReader(conn).next(), null);
  conn.close();
}

const INJECTED = {
  t: "output",
  df: "d",
  node: "camera",
  output: "image",
  m: { injected: true },
};

Deno.test("TcpTransport refuses a data connection without a hello", async () => {
  const { server, addr, delivered, refusal } = await guardedServer();
  try {
    await rawClient(addr, [INJECTED]);
    assert.match(
      await refusal,
      /^refused a data connection from 127\.0\.0\.1:\d+: the first frame is not a hello with a secret$/,
    );
    assert.deepEqual(delivered, []);
  } finally {
    server.close();
  }
});

Deno.test("TcpTransport refuses a data connection with a wrong secret", async () => {
  const { server, addr, delivered, refusal } = await guardedServer();
  try {
    await rawClient(addr, [
      { t: "hello", df: "d", secret: "wrong" },
      INJECTED,
    ]);
    assert.match(await refusal, /wrong secret for dataflow d$/);
    assert.deepEqual(delivered, []);
  } finally {
    server.close();
  }
});

Deno.test("TcpTransport closes a link that carries another dataflow's messages", async () => {
  const { server, addr, delivered, refusal } = await guardedServer();
  try {
    await rawClient(addr, [
      { t: "hello", df: "d", secret: "right" },
      { ...INJECTED, m: { first: true } },
      { ...INJECTED, df: "other" },
      { ...INJECTED, m: { after: true } },
    ]);
    assert.match(
      await refusal,
      /opened for dataflow d but carried a message of "other"$/,
    );
    assert.deepEqual(delivered.map((m) => (m as { m: unknown }).m), [{
      first: true,
    }]);
  } finally {
    server.close();
  }
});

Deno.test("TcpTransport accepts a hello that arrives before its dataflow is authorized", async () => {
  const delivered: InterDaemonMessage[] = [];
  const got = Promise.withResolvers<void>();
  const server = new TcpTransport();
  const addr = await server.listen("127.0.0.1", 0, (msg) => {
    delivered.push(msg);
    got.resolve();
  });
  const client = new TcpTransport();
  try {
    client.authorize("late", "k");
    client.send(addr, { ...INJECTED, df: "late" } as InterDaemonMessage);
    await client.flush(addr);
    server.authorize("late", "k");
    await got.promise;
    assert.equal(delivered.length, 1);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("TcpTransport send never throws when the peer is gone", async () => {
  const errors: string[] = [];
  const failed = Promise.withResolvers<void>();
  const client = new TcpTransport((m) => {
    errors.push(m);
    failed.resolve();
  });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = { host: "127.0.0.1", port: (l.addr as Deno.NetAddr).port };
  l.close();
  client.authorize("d", "s");
  for (let i = 0; i < 100; i++) {
    client.send(addr, { ...INJECTED } as InterDaemonMessage);
  }
  await failed.promise;
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]!,
    /daemon data link to 127\.0\.0\.1:\d+ \(dataflow d\) failed/,
  );
  client.close();
});

Deno.test("sameSecret() compares secrets of any length", () => {
  assert.equal(sameSecret("abc", "abc"), true);
  assert.equal(sameSecret("abc", "abd"), false);
  assert.equal(sameSecret("abc", "abcd"), false);
  assert.equal(sameSecret("", ""), true);
});
