/**
 * The zero-copy path between two TypeScript nodes, with a test daemon that
 * relays shared-memory references the way the real one does (it never maps).
 */
import assert from "node:assert/strict";
import { FakeDaemon } from "../../nodes/api/ts/_fake_daemon.ts";
import { Node } from "../../nodes/api/ts/mod.ts";
import type { OutputHeader } from "../../src/message/mod.ts";
import { cleanupStaleRegions, regionPrefix } from "../../src/shm/mod.ts";

async function pair() {
  const daemon = await FakeDaemon.start();
  const dataflow = crypto.randomUUID();
  const [sender, s] = await Promise.all([
    Node.init({
      config: daemon.config({
        dataflow_id: dataflow,
        node_id: "tx",
        shm: true,
      }),
    }),
    daemon.accept(),
  ]);
  const [receiver, r] = await Promise.all([
    Node.init({
      config: daemon.config({
        dataflow_id: dataflow,
        node_id: "rx",
        shm: true,
      }),
    }),
    daemon.accept(),
  ]);
  const cleanup = async () => {
    await sender.close();
    await receiver.close();
    await daemon.close();
    await cleanupStaleRegions(regionPrefix(dataflow, "tx"));
  };
  return { daemon, sender, s, receiver, r, cleanup };
}

/** Forwards output number `i` of the sender as an input of the receiver. */
async function relay(s: FakeDaemonSession, r: FakeDaemonSession, i: number) {
  await s.until((rec) => rec.filter((x) => x.header.t === "output").length > i);
  const out = s.outputs()[i];
  const h = out.header as OutputHeader;
  r.push({ t: "input", id: "in", m: h.m, d: h.d, shm: h.shm }, out.payload);
  return h;
}
type FakeDaemonSession = Awaited<ReturnType<FakeDaemon["accept"]>>;

Deno.test("big outputs travel through shared memory and regions are reused after release", async () => {
  const { sender, s, receiver, r, cleanup } = await pair();
  try {
    const data = new Float32Array(100_000).map((_, i) => i);
    await sender.sendOutput("out", data);
    const h1 = await relay(s, r, 0);
    assert.ok(h1.shm, "sent as a shared-memory reference");
    assert.equal(s.outputs()[0].payload, null);
    assert.deepEqual(
      s.received.filter((x) => x.header.t === "shm_new").map((x) => x.header),
      [{ t: "shm_new", name: h1.shm.name, size: 524288 }],
    );

    const event = await receiver.recv();
    assert.equal(event?.type, "INPUT");
    if (event?.type !== "INPUT") return;
    assert.equal(event.value.length, 100_000);
    assert.equal(event.value.get(99_999), 99_999);

    // Not released yet: a second send needs a second region.
    await sender.sendOutput("out", data);
    const h2 = await relay(s, r, 1);
    assert.notEqual(h2.shm!.name, h1.shm.name);

    // Pulling the next event releases the first (auto-release).
    const second = await receiver.recv();
    assert.equal(second?.type, "INPUT");
    await r.until((rec) => rec.some((x) => x.header.t === "release"));
    const release = r.received.find((x) => x.header.t === "release")!.header;
    assert.deepEqual(release, { t: "release", tokens: [h1.shm.token] });

    // The daemon relays the release to the sender, whose pool reuses the region.
    await s.send({ t: "release", tokens: [h1.shm.token] });
    // Frames are handled in order: once this input arrives, so did the release.
    s.push({ t: "input", id: "in", m: { ts: "1" } });
    assert.equal((await sender.recv())?.type, "INPUT");
    await sender.sendOutput("out", data);
    const h3 = await relay(s, r, 2);
    assert.equal(h3.shm!.name, h1.shm.name);
  } finally {
    await cleanup();
  }
});

Deno.test("allocate() sends in place without a copy; retain() keeps the value past the next event", async () => {
  const { sender, s, receiver, r, cleanup } = await pair();
  try {
    const sample = sender.allocate("out", 1 << 20);
    const floats = new Float32Array(
      sample.buffer,
      sample.byteOffset,
      (1 << 20) / 4,
    );
    floats.fill(1.5);
    await sender.sendOutput("out", floats, { frame: 1 });
    const h = await relay(s, r, 0);
    assert.ok(h.shm);
    assert.deepEqual(h.d!.bufs, [null, [0, 1 << 20]]);

    const event = await receiver.recv();
    if (event?.type !== "INPUT") throw new Error("expected an input");
    event.retain();
    assert.equal(event.value.get(262_143), 1.5);
    // Proof of zero-copy: the receiver's view aliases the sender's memory.
    floats[262_143] = -1;
    assert.equal(event.value.get(262_143), -1);

    r.push({ t: "stop", cause: "MANUAL" });
    assert.equal((await receiver.recv())?.type, "STOP");
    assert.equal(r.received.filter((x) => x.header.t === "release").length, 0);
    event.release();
    event.release(); // idempotent
    await r.until((rec) => rec.some((x) => x.header.t === "release"));
    assert.equal(r.received.filter((x) => x.header.t === "release").length, 1);
  } finally {
    await cleanup();
  }
});

Deno.test("small outputs and nodes without shm stay on the socket", async () => {
  const daemon = await FakeDaemon.start();
  const [node, s] = await Promise.all([
    Node.init({ config: daemon.config({ shm: false }) }),
    daemon.accept(),
  ]);
  try {
    await node.sendOutput("out", new Uint8Array(100_000));
    const sample = node.allocate("out", 100_000);
    await node.sendOutput("out", sample);
    await s.until((rec) => rec.length >= 2);
    for (const o of s.outputs()) {
      assert.equal((o.header as OutputHeader).shm, undefined);
      assert.equal(o.payload?.length, 100_000);
    }
  } finally {
    await node.close();
    await daemon.close();
  }
});
