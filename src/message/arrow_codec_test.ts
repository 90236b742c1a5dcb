import assert from "node:assert/strict";
import { Bool, makeData, makeVector, vectorFromArray } from "apache-arrow";
import { decodeValue } from "./arrow_decode.ts";
import { encodeValue, type SendableValue } from "./arrow_encode.ts";

function roundTrip(value: SendableValue) {
  const enc = encodeValue(value);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return {
    enc,
    payload,
    vec: decodeValue(JSON.parse(JSON.stringify(enc.layout ?? null)), payload),
  };
}

Deno.test("decodeValue() builds vectors over the payload without copying", () => {
  const { payload, vec } = roundTrip(new Float32Array([1, 2, 3]));
  const values = vec.data[0].values as Float32Array;
  assert.equal(values.buffer, payload.buffer);
  assert.deepEqual(Array.from(vec.toArray() as Float32Array), [1, 2, 3]);
});

Deno.test("encodeValue() places every buffer at a multiple of 64", () => {
  const { enc } = roundTrip(["a", "bb", "ccc"]);
  for (const b of enc.layout!.bufs) {
    if (b && b[1] > 0) assert.equal(b[0] % 64, 0);
  }
});

Deno.test("encodeValue() handles plain values", () => {
  assert.deepEqual(roundTrip(2.5).vec.toArray(), Float64Array.of(2.5));
  assert.deepEqual(roundTrip("hi").vec.toArray(), ["hi"]);
  assert.deepEqual(roundTrip([true, false]).vec.toArray(), [true, false]);
  assert.deepEqual(
    Array.from(roundTrip([1n, 2n]).vec.toArray() as BigInt64Array),
    [1n, 2n],
  );
  assert.equal(roundTrip(null).enc.layout, undefined);
  assert.equal(roundTrip(null).vec.length, 0);
  assert.deepEqual(
    Array.from(
      roundTrip(new Uint8Array([9, 8]).buffer).vec.toArray() as Uint8Array,
    ),
    [9, 8],
  );
});

Deno.test("encodeValue() normalises sliced arrays, including unaligned bitmaps", () => {
  const src = vectorFromArray([1, null, 3, 4, null, 6, 7, 8, 9, 10]);
  const sliced = src.slice(3, 8); // [4, null, 6, 7, 8]
  const { enc, vec } = roundTrip(sliced);
  assert.equal(enc.layout!.off, 0);
  assert.deepEqual([...vec], [4, null, 6, 7, 8]);
  const bools = makeVector(
    makeData({
      type: new Bool(),
      length: 10,
      nullCount: 0,
      data: new Uint8Array([0b10101010, 0b11]),
    }),
  );
  assert.deepEqual([...roundTrip(bools.slice(1, 9)).vec], [
    ...bools.slice(1, 9),
  ]);
});

Deno.test("encodeValue() rejects unsupported values with a clear message", () => {
  assert.throws(() => encodeValue({ a: 1 } as never), /cannot send this value/);
  assert.throws(() => encodeValue([1, "a"] as never), /cannot send this value/);
});

Deno.test("decodeValue() round-trips dates, timestamps, f16, binary and large types", () => {
  const layouts = [
    { dt: "date32", bytes: new Int32Array([19000, -1]) },
    { dt: "date64", bytes: new BigInt64Array([1763712000123n]) },
    { dt: { ts: "us", tz: null }, bytes: new BigInt64Array([5n, 6n]) },
    { dt: "f16", bytes: new Uint16Array([0x3c00, 0xc000]) }, // 1, -2
  ] as const;
  for (const { dt, bytes } of layouts) {
    const payload = new Uint8Array(64);
    payload.set(new Uint8Array(bytes.buffer));
    const layout = {
      dt,
      len: bytes.length,
      nulls: 0,
      off: 0,
      bufs: [null, [0, bytes.byteLength]] as [number, number][],
      ch: [],
    };
    const vec = decodeValue(layout as never, payload);
    assert.equal(vec.length, bytes.length, JSON.stringify(dt));
    const again = encodeValue(vec);
    assert.deepEqual(again.layout, layout, JSON.stringify(dt));
  }
  const f16 = decodeValue(
    { dt: "f16", len: 2, nulls: 0, off: 0, bufs: [null, [0, 4]], ch: [] },
    new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer),
  );
  assert.deepEqual([...f16], [1, -2]);
  // large_utf8 with i64 offsets, and fixed_binary
  const payload = new Uint8Array(192);
  new BigInt64Array(payload.buffer, 0, 3).set([0n, 2n, 5n]);
  payload.set(new TextEncoder().encode("hiyou"), 64);
  payload.set([1, 2, 3, 4], 128);
  const large = decodeValue({
    dt: "large_utf8",
    len: 2,
    nulls: 0,
    off: 0,
    bufs: [null, [0, 24], [64, 5]],
    ch: [],
  }, payload);
  assert.deepEqual([...large], ["hi", "you"]);
  const fixed = decodeValue({
    dt: { fixed_binary: 2 },
    len: 2,
    nulls: 0,
    off: 0,
    bufs: [null, [128, 4]],
    ch: [],
  }, payload);
  assert.deepEqual([...fixed].map((b) => Array.from(b as Uint8Array)), [
    [1, 2],
    [3, 4],
  ]);
});
