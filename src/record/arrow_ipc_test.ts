import assert from "node:assert/strict";
import {
  Field,
  Float64,
  Int32,
  List,
  makeVector,
  Struct,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import {
  decodeMessage,
  encodeMessage,
  MessageDecoder,
  MessageEncoder,
} from "./arrow_ipc.ts";

Deno.test("encodeMessage() and decodeMessage() round-trip values and parameters", () => {
  const values = [
    makeVector(new Float32Array([1, 2.5])),
    makeVector(new Uint8Array([1, 2, 3])),
    makeVector(new BigInt64Array([5n])),
    vectorFromArray(["a", "bc"]), // dictionary-encoded: recorded as values
    vectorFromArray([{ x: 1, y: "p" }]),
  ];
  const params = { seq: 3, big: 2n ** 60n, name: "cam", ok: true, xs: [1.5] };
  for (const v of values) {
    const enc = encodeMessage(v, params);
    // Encapsulated IPC messages: continuation marker first, no stream end.
    assert.deepEqual([...enc.schema.subarray(0, 4)], [255, 255, 255, 255]);
    assert.deepEqual([...enc.batch.subarray(0, 4)], [255, 255, 255, 255]);
    const dec = decodeMessage(enc.schema, enc.batch);
    assert.deepEqual(
      JSON.stringify(
        [...dec.value],
        (_k, x) => typeof x === "bigint" ? `${x}` : x,
      ),
      JSON.stringify([...v], (_k, x) => typeof x === "bigint" ? `${x}` : x),
    );
    assert.deepEqual(dec.params, params);
  }
});

Deno.test("MessageEncoder.encode() writes the bytes of encodeMessage() and MessageDecoder.decode() reads them", () => {
  const encoder = new MessageEncoder();
  const decoder = new MessageDecoder();
  const values = [
    makeVector(new Float64Array([1, 2, 3])),
    makeVector(new Uint8Array(13).fill(9)),
    vectorFromArray([1, null, 3], new Int32()),
    vectorFromArray(["a", null, "ccc"], new Utf8()),
    vectorFromArray(
      [{ x: 1.5, y: "p" }, { x: 2, y: "q" }],
      new Struct([
        new Field("x", new Float64(), true),
        new Field("y", new Utf8(), true),
      ]),
    ),
    vectorFromArray([[1, 2], [3]], new List(new Field("item", new Int32()))),
    makeVector(new Float64Array([7])),
    makeVector(new Float64Array([8])), // from the cached template
    makeVector(new Float64Array([9, 10, 11])),
  ];
  for (const v of values) {
    const slow = encodeMessage(v, { seq: 1 });
    const fast = encoder.encode(v, { seq: 1 });
    assert.deepEqual(fast.schema, slow.schema, String(v.type));
    assert.deepEqual(fast.batch, slow.batch, String(v.type));
    // Recorded bytes sit anywhere in a file: decode from an odd offset too.
    const odd = new Uint8Array(fast.batch.length + 3).subarray(3);
    odd.set(fast.batch);
    const back = decoder.decode(fast.schema.slice(), odd);
    assert.deepEqual(back.params, { seq: 1 });
    assert.equal(String(back.value.type), String(v.type));
    assert.deepEqual(
      JSON.stringify([...back.value]),
      JSON.stringify([...decodeMessage(slow.schema, slow.batch).value]),
    );
  }
});
