import assert from "node:assert/strict";
import { makeVector, vectorFromArray } from "apache-arrow";
import { decodeMessage, encodeMessage } from "./arrow_ipc.ts";

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
