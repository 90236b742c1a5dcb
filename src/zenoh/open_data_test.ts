import assert from "node:assert/strict";
import { makeVector, Utf8, vectorFromArray } from "apache-arrow";
import {
  decodeOpenData,
  encodeOpenData,
  openDataAttachment,
  readOpenDataAttachment,
} from "./open_data.ts";

Deno.test("encodeOpenData() writes small primitives as JSON, the rest as Arrow IPC", () => {
  const small = encodeOpenData(vectorFromArray([1.5, 2]));
  assert.equal(small.encoding, "application/json");
  assert.equal(new TextDecoder().decode(small.payload), "[1.5,2]");
  const big = encodeOpenData(
    vectorFromArray(Array.from({ length: 100 }, (_, i) => i)),
  );
  assert.equal(big.encoding, "application/vnd.apache.arrow.stream");
  assert.deepEqual(
    Array.from(decodeOpenData(big.payload, big.encoding).toArray()),
    Array.from({ length: 100 }, (_, i) => i),
  );
});

Deno.test("decodeOpenData() reads JSON, text and raw bytes", () => {
  const enc = new TextEncoder();
  assert.deepEqual(
    Array.from(decodeOpenData(enc.encode("[3]"), "application/json").toArray()),
    [3],
  );
  assert.equal(
    decodeOpenData(enc.encode("hi"), "text/plain").get(0),
    "hi",
  );
  assert.deepEqual(
    Array.from(decodeOpenData(new Uint8Array([1, 2]), "zenoh/bytes").toArray()),
    [1, 2],
  );
});

Deno.test("openDataAttachment() writes the timestamp and plain parameters", () => {
  const bytes = openDataAttachment(1234n, {
    seq: 3,
    big: 2n ** 60n,
    small: 5n,
    name: "x",
  });
  assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
    ts: "1234",
    params: { seq: 3, big: "1152921504606846976", small: 5, name: "x" },
  });
  assert.deepEqual(readOpenDataAttachment(bytes).params.seq, 3);
  assert.deepEqual(readOpenDataAttachment(undefined), { params: {} });
  assert.deepEqual(
    readOpenDataAttachment(new TextEncoder().encode("nope")),
    { params: {} },
  );
});

Deno.test("encodeOpenData() keeps JSON exact: booleans, strings, safe 64-bit integers; others go as Arrow", () => {
  const text = (v: Parameters<typeof encodeOpenData>[0]) => {
    const s = encodeOpenData(v);
    return s.encoding === "application/json"
      ? new TextDecoder().decode(s.payload)
      : s.encoding;
  };
  assert.equal(text(vectorFromArray([true, false])), "[true,false]");
  assert.equal(text(vectorFromArray(["a", "b"], new Utf8())), '["a","b"]');
  assert.equal(
    text(makeVector(new BigInt64Array([1n, -(2n ** 53n) + 1n]))),
    "[1,-9007199254740991]",
  );
  assert.equal(
    text(makeVector(new BigInt64Array([2n ** 60n]))),
    "application/vnd.apache.arrow.stream",
  );
  assert.equal(
    text(makeVector(new Float64Array([1, NaN]))),
    "application/vnd.apache.arrow.stream",
  );
  const big = encodeOpenData(makeVector(new BigInt64Array([2n ** 60n])));
  assert.equal(
    decodeOpenData(big.payload, big.encoding).get(0),
    2n ** 60n,
  );
});

Deno.test("decodeOpenData() gives JSON and text plain types nodes can send (no dictionaries)", () => {
  const enc = new TextEncoder();
  const read = (text: string, encoding = "application/json") =>
    decodeOpenData(enc.encode(text), encoding);
  assert.equal(String(read('["a","b"]').type), "Utf8");
  assert.deepEqual(read('["a","b"]').toArray(), ["a", "b"]);
  assert.equal(String(read("[1,2.5]").type), "Float64");
  assert.equal(String(read("[true]").type), "Bool");
  assert.equal(read("[true]").get(0), true);
  assert.deepEqual(read('[{"x":1},null]').toArray(), ['{"x":1}', "null"]);
  assert.equal(String(read("hi", "text/plain").type), "Utf8");
});
