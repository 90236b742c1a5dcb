/**
 * Checks the TypeScript codec against the shared byte-level vectors in
 * tests/protocol_vectors/ (the Python node API runs the same files).
 */
import assert from "node:assert/strict";
import {
  asDaemonToNode,
  asNodeToDaemon,
  asReceiverToSender,
  asSenderToReceiver,
  decodeFrame,
  decodeMetadata,
  decodeParam,
  decodeValue,
  encodeFrame,
  encodeValue,
  FrameReader,
  ProtocolError,
} from "../../src/message/mod.ts";
import { hex, meaning, unhex } from "../protocol_vectors/_meaning.ts";

const dir = new URL("../protocol_vectors/", import.meta.url);
const frames = JSON.parse(await Deno.readTextFile(new URL("frames.json", dir)));
const invalid = JSON.parse(
  await Deno.readTextFile(new URL("invalid.json", dir)),
);
const metadata = JSON.parse(
  await Deno.readTextFile(new URL("metadata.json", dir)),
);

function check(direction: string, header: Record<string, unknown>) {
  switch (direction) {
    case "node_to_daemon":
      return asNodeToDaemon(header);
    case "receiver_to_sender":
      return asReceiverToSender(header);
    case "sender_to_receiver":
      return asSenderToReceiver(header);
    default:
      return asDaemonToNode(header);
  }
}

/** A byte source that hands out `bytes` in chunks of `chunk`, then EOF. */
function source(bytes: Uint8Array, chunk: number) {
  let pos = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (pos >= bytes.length) return Promise.resolve(null);
      const n = Math.min(chunk, p.length, bytes.length - pos);
      p.set(bytes.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    },
  };
}

Deno.test("protocol vectors: valid frames decode to their header and value", () => {
  for (const v of frames.valid) {
    const frame = decodeFrame(unhex(v.hex));
    assert.deepEqual(frame.header, v.header, v.name);
    check(v.direction, frame.header);
    if (frame.header.m) decodeMetadata(frame.header.m);
    if (frame.payload) assert.deepEqual(frame.payload.byteOffset % 64, 0);
    if (v.value) {
      const vec = decodeValue(frame.header.d as never, frame.payload);
      assert.deepEqual(meaning(vec), v.value.values, v.name);
    }
  }
});

Deno.test("protocol vectors: encoding gives the exact frame bytes", () => {
  for (const v of frames.valid) {
    if (!v.encode) continue;
    const frame = decodeFrame(unhex(v.hex));
    let payload: Uint8Array | null = null;
    const header = { ...v.header };
    if (v.value) {
      // Re-encode the decoded vector: layout and payload must come out identical.
      const enc = encodeValue(
        decodeValue(frame.header.d as never, frame.payload),
      );
      assert.deepEqual(enc.layout, v.header.d, v.name);
      payload = new Uint8Array(enc.size);
      enc.write(payload);
      header.d = enc.layout;
    } else if (frame.payload) {
      // Raw bytes (a relay's link frames) go out as they are.
      payload = frame.payload;
    }
    assert.deepEqual(hex(encodeFrame(header, payload)), v.hex, v.name);
  }
});

Deno.test("protocol vectors: all valid frames stream through FrameReader in any split", async () => {
  const all = frames.valid.map((v: { hex: string }) => unhex(v.hex));
  const total = all.reduce((n: number, b: Uint8Array) => n + b.length, 0);
  const stream = new Uint8Array(total);
  let pos = 0;
  for (const b of all) {
    stream.set(b, pos);
    pos += b.length;
  }
  for (
    const [chunk, bufSize] of [
      [1, 256 * 1024],
      [7, 256 * 1024],
      [100_000, 256],
      [3, 128],
    ]
  ) {
    const reader = new FrameReader(source(stream, chunk), bufSize);
    for (const v of frames.valid) {
      const f = await reader.next();
      assert.deepEqual(
        f?.header,
        v.header,
        `${v.name} (chunk ${chunk}, buffer ${bufSize})`,
      );
      if (f?.payload) assert.deepEqual(f.payload.byteOffset % 64, 0);
    }
    assert.deepEqual(await reader.next(), null);
  }
});

Deno.test("protocol vectors: invalid frames fail with an error naming the problem", async () => {
  for (const v of invalid.invalid) {
    const reader = new FrameReader(source(unhex(v.hex), 5));
    let message = "";
    try {
      const f = await reader.next();
      if (!f) throw new Error("no frame");
      check(v.direction, f.header);
      decodeMetadata(f.header.m);
      decodeValue(f.header.d as never, f.payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      message = e.message;
    }
    if (!message.includes(v.error)) {
      throw new Error(
        `${v.name}: expected an error containing ${
          JSON.stringify(v.error)
        }, got ${JSON.stringify(message)}`,
      );
    }
  }
});

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) {
    return Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
  }
  if (v instanceof Date) return (BigInt(v.getTime()) * 1_000_000n).toString();
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

Deno.test("protocol vectors: metadata parameters decode as specified", () => {
  for (const p of metadata.params) {
    const got = plain(decodeParam(p.name, p.wire));
    // ts decodes to a Date (ms precision)
    const want = p.wire[0] === "ts"
      ? (BigInt(p.value) / 1_000_000n * 1_000_000n).toString()
      : p.value;
    assert.deepEqual(got, want, p.name);
  }
  for (const p of metadata.invalid) {
    assert.throws(
      () => decodeParam(p.name, p.wire),
      (e: Error) => e.message.includes(p.error),
      p.name,
    );
  }
});
