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
