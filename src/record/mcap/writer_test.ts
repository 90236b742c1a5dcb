import assert from "node:assert/strict";
import { type ByteSink, RecordingWriter } from "./writer.ts";
import { newScanReport, NotMcapError, scanMcap } from "./scanner.ts";
import { COMPRESSIONS } from "./compression.ts";

/** Collects what a writer writes. */
function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write(b) {
      parts.push(b.slice());
      return Promise.resolve();
    },
    bytes() {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) out.set(p, (at += p.length) - p.length);
      return out;
    },
  };
}

async function scan(bytes: Uint8Array) {
  const path = await Deno.makeTempFile({ suffix: ".mcap" });
  try {
    await Deno.writeFile(path, bytes);
    const report = newScanReport();
    const records = [];
    for await (const r of scanMcap(path, report)) records.push(r);
    return { records, report };
  } finally {
    await Deno.remove(path);
  }
}

async function sample(compression: typeof COMPRESSIONS[number]) {
  let now = 0;
  const sink = memorySink();
  const w = new RecordingWriter(sink, {
    compression,
    chunkSize: 1000,
    chunkMaxAgeMs: 50,
    now: () => now,
  });
  await w.start();
  const s = w.addSchema("s", "arrow", new Uint8Array([1, 2]));
  const c = w.addChannel(s, "a/b", "arrow", { k: "v" });
  await w.addMetadata("dora.dataflow", { descriptor: "nodes: []" });
  for (let i = 0; i < 100; i++) {
    now += 10;
    // Every tenth message is big: a chunk of its own when uncompressed.
    const size = i % 10 === 9 ? 600 : 30;
    await w.addMessage(c, BigInt(i), BigInt(i), new Uint8Array(size).fill(i));
  }
  await w.end();
  return sink.bytes();
}

for (const compression of COMPRESSIONS) {
  Deno.test(`RecordingWriter() with ${compression} writes chunks scanMcap() reads back`, async () => {
    const { records, report } = await scan(await sample(compression));
    assert.equal(report.complete, true);
    assert.equal(report.corruptChunks, 0);
    const messages = records.filter((r) => r.type === "message");
    assert.equal(messages.length, 100);
    assert.deepEqual(
      messages.map((m) => m.type === "message" && m.data[0]),
      [...Array(100).keys()],
    );
    const channels = records.filter((r) => r.type === "channel");
    // Every chunk repeats its channel: readable on its own after a crash.
    assert.ok(channels.length > 5, `channels: ${channels.length}`);
    const meta = records.find((r) => r.type === "metadata");
    assert.deepEqual(
      meta?.type === "metadata" && Object.fromEntries(meta.metadata),
      { descriptor: "nodes: []" },
    );
  });
}

Deno.test("scanMcap() stops at a truncated tail and skips a damaged chunk", async () => {
  const bytes = await sample("none");
  const cut = bytes.slice(0, Math.floor(bytes.length * 0.6));
  cut[200] ^= 0xff; // inside the first chunk
  const { records, report } = await scan(cut);
  assert.equal(report.complete, false);
  assert.equal(typeof report.truncatedAt, "number");
  assert.equal(report.corruptChunks, 1);
  assert.match(report.firstProblem!, /CRC mismatch/);
  const n = records.filter((r) => r.type === "message").length;
  assert.ok(n > 0 && n < 100, `messages: ${n}`);
});

Deno.test("scanMcap() throws NotMcapError for another file", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "nodes: []\n");
    await assert.rejects(async () => {
      for await (const _ of scanMcap(path, newScanReport())) { /* none */ }
    }, NotMcapError);
  } finally {
    await Deno.remove(path);
  }
});
