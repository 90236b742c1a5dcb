import assert from "node:assert/strict";
import { Vector } from "apache-arrow";
import { FakeDaemon } from "./_fake_daemon.ts";
import { Node } from "./mod.ts";
import { decodeMetadata, decodeValue } from "../../../src/message/mod.ts";

async function setup(over = {}) {
  const daemon = await FakeDaemon.start();
  const [node, session] = await Promise.all([
    Node.init({ config: daemon.config(over) }),
    daemon.accept(),
  ]);
  return { daemon, node, session };
}

Deno.test("Node.init() resolves only after ready", async () => {
  const daemon = await FakeDaemon.start();
  let resolved = false;
  const init = Node.init({ config: daemon.config() }).then((n) => {
    resolved = true;
    return n;
  });
  const session = await daemon.accept({ ready: false });
  assert.equal(session.hello?.t, "hello");
  assert.deepEqual(
    { ...session.hello, pid: 0 },
    {
      t: "hello",
      v: 1,
      node: "node",
      df: daemon.config().dataflow_id,
      lang: "ts",
      pid: 0,
      binary: true,
    },
  );
  // hello_ok went out and was flushed; init must still wait for ready.
  await session.send({ t: "batch_end" });
  assert.equal(resolved, false);
  await session.send({ t: "ready" });
  const node = await init;
  assert.equal(node.nodeId, "node");
  await node.close();
  await daemon.close();
});

Deno.test("Node.init() reports the daemon's refusal", async () => {
  const daemon = await FakeDaemon.start();
  const init = Node.init({ config: daemon.config() });
  await daemon.accept({
    refuse: "protocol version mismatch: node speaks 2, daemon speaks 1",
  });
  await assert.rejects(init, /refused this node: protocol version mismatch/);
  await daemon.close();
});

Deno.test("Node yields inputs and control events, and ends after STOP", async () => {
  const { daemon, node, session } = await setup();
  session.input("in", new Float32Array([1, 2, 3]), { k: 7 } as never);
  session.push({ t: "input_closed", id: "in" });
  session.push({ t: "node_failed", id: "src", inputs: ["in"], error: "boom" });
  session.push({ t: "stop", cause: "MANUAL" });
  session.input("in", 1);
  const seen: string[] = [];
  for await (const event of node) {
    seen.push(event.type);
    if (event.type === "INPUT") {
      assert.equal(event.id, "in");
      assert.ok(event.value instanceof Vector);
      assert.deepEqual([...event.value], [1, 2, 3]);
      assert.equal(event.metadata.timestamp, 1763712000000000000n);
    } else if (event.type === "NODE_FAILED") {
      assert.deepEqual(event, {
        type: "NODE_FAILED",
        id: "src",
        inputs: ["in"],
        error: "boom",
      });
    } else if (event.type === "STOP") {
      assert.equal(event.cause, "MANUAL");
    }
  }
  assert.deepEqual(seen, ["INPUT", "INPUT_CLOSED", "NODE_FAILED", "STOP"]);
  await node.close();
  await daemon.close();
});

Deno.test("Node.params has the values of hello_ok and changes as PARAM_UPDATE / PARAM_DELETED are handed out", async () => {
  const daemon = await FakeDaemon.start();
  const [node, session] = await Promise.all([
    Node.init({ config: daemon.config() }),
    daemon.accept({ params: { threshold: 0.5, cfg: { labels: ["a"] } } }),
  ]);
  assert.deepEqual(node.params, { threshold: 0.5, cfg: { labels: ["a"] } });
  (node.params.cfg as { labels: string[] }).labels.push("b"); // a copy
  assert.deepEqual(node.params.cfg, { labels: ["a"] });
  session.push({ t: "param_update", key: "threshold", value: 0.75 });
  session.push({ t: "param_deleted", key: "cfg" });
  session.push({ t: "stop", cause: "MANUAL" });
  const seen: unknown[] = [];
  for await (const e of node) {
    if (e.type === "PARAM_UPDATE") {
      seen.push([e.type, e.id, e.key, e.value, node.params]);
    } else if (e.type === "PARAM_DELETED") {
      seen.push([e.type, e.id, e.key, node.params]);
    } else seen.push([e.type]);
  }
  assert.deepEqual(seen, [
    ["PARAM_UPDATE", "threshold", "threshold", 0.75, {
      threshold: 0.75,
      cfg: { labels: ["a"] },
    }],
    ["PARAM_DELETED", "cfg", "cfg", { threshold: 0.75 }],
    ["STOP"],
  ]);
  await node.close();
  await daemon.close();
});

Deno.test("Node's event stream ends when the daemon goes away", async () => {
  const { daemon, node, session } = await setup();
  session.input("in", "x");
  const first = await node.recv();
  assert.equal(first?.type, "INPUT");
  session.conn.close();
  assert.equal(await node.recv(), null);
  await node.close();
  await daemon.close();
});

Deno.test("Node.sendOutput() sends values with metadata, in order, coalesced", async () => {
  const { daemon, node, session } = await setup();
  const t0 = BigInt(Date.now()) * 1_000_000n;
  await node.sendOutput("out", new Float64Array([0.5]), { key: 1, name: "x" });
  const n = 5000;
  for (let i = 0; i < n; i++) node.sendOutput("out", i);
  await node.sendOutput("out", null);
  await node.flush();
  await session.until((r) => r.length >= n + 2);
  const outs = session.outputs();
  const first = outs[0];
  const h = first.header as { o: string; m: unknown; d: unknown };
  assert.equal(h.o, "out");
  const m = decodeMetadata(h.m);
  assert.deepEqual(m.parameters, { key: 1, name: "x" });
  assert.ok(m.timestamp >= t0);
  assert.deepEqual([...decodeValue(h.d as never, first.payload)], [0.5]);
  let last = m.timestamp;
  for (let i = 0; i < n; i++) {
    const r = outs[i + 1].header as { m: unknown; d: unknown };
    assert.deepEqual([...decodeValue(r.d as never, outs[i + 1].payload)], [i]);
    const ts = decodeMetadata(r.m).timestamp;
    assert.ok(ts > last, "timestamps increase");
    last = ts;
  }
  assert.equal((outs[n + 1].header as { d?: unknown }).d, undefined);
  await node.close();
  await daemon.close();
});

Deno.test("Node.sendOutput() rejects an undeclared output by name", async () => {
  const { daemon, node } = await setup({ outputs: ["a", "b"] });
  assert.throws(
    () => node.sendOutput("nope", 1),
    /output "nope" is not declared for node "node" \(declared outputs: "a", "b"\)/,
  );
  node.closeOutputs(["a"]);
  assert.throws(() => node.sendOutput("a", 1), /output "a" was closed/);
  await node.close();
  await daemon.close();
});

Deno.test("Node.close() closes the remaining outputs", async () => {
  const { daemon, node, session } = await setup({ outputs: ["a", "b"] });
  node.closeOutputs(["a"]);
  await node.close();
  await session.closed;
  assert.deepEqual(
    session.received.map((r) => r.header),
    [{ t: "close_outputs", o: ["a"] }, { t: "close_outputs", o: ["b"] }],
  );
  await daemon.close();
});

Deno.test("Node.sendOutput() explains that over-64-MiB messages need shared memory", async () => {
  const { daemon, node } = await setup();
  assert.throws(
    () => node.sendOutput("out", new Uint8Array(65 * 1024 * 1024)),
    /do not fit in one socket frame \(64 MiB\); large messages need shared memory/,
  );
  await node.close();
  await daemon.close();
});
