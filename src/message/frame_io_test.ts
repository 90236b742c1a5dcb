import assert from "node:assert/strict";
import { FrameReader } from "./frame_reader.ts";
import { FrameWriter } from "./frame_writer.ts";

Deno.test("FrameWriter coalesces frames that FrameReader reads back over a real socket", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  try {
    const [client, server] = await Promise.all([
      Deno.connect({ transport: "unix", path }),
      listener.accept(),
    ]);
    let writes = 0;
    const writer = new FrameWriter({
      write: (p) => {
        writes++;
        return client.write(p);
      },
    });
    const big = new Uint8Array(1_000_000).map((_, i) => i & 0xff);
    const count = 2000;
    for (let i = 0; i < count; i++) writer.push({ t: "next", max: i });
    writer.push({ t: "big" }, big);
    const flushed = writer.flush();
    const reader = new FrameReader(server);
    for (let i = 0; i < count; i++) {
      const f = await reader.next();
      assert.deepEqual(f?.header, { t: "next", max: i });
    }
    const last = await reader.next();
    assert.equal(last?.header.t, "big");
    assert.equal(last?.payload?.byteOffset! % 64, 0);
    assert.deepEqual(last?.payload, big);
    await flushed;
    assert.ok(writes < 10, `expected coalesced writes, got ${writes}`);
    client.close();
    assert.equal(await reader.next(), null);
    server.close();
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
