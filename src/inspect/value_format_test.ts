import assert from "node:assert/strict";
import { encodeValue, type SendableValue } from "../message/mod.ts";
import { encodeJsonValue } from "./json_to_arrow.ts";
import { formatValue, typeName } from "./value_format.ts";

function encoded(value: SendableValue) {
  const enc = encodeValue(value);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return { layout: enc.layout, payload };
}

Deno.test("formatValue() prints short arrays whole", () => {
  const { layout, payload } = encoded(new Float64Array([1, 2.5, 3]));
  const v = formatValue(layout, payload, payload.length);
  assert.deepEqual(v, {
    type: "f64",
    len: 3,
    text: "[1, 2.5, 3]",
    values: [1, 2.5, 3],
    complete: true,
  });
});

Deno.test("formatValue() summarises long arrays with their first and last values", () => {
  const { layout, payload } = encoded(
    Uint32Array.from({ length: 1000 }, (_, i) => i),
  );
  const v = formatValue(layout, payload, payload.length);
  assert.equal(v.len, 1000);
  assert.equal(v.text, "[0, 1, 2, 3, … 992 more …, 996, 997, 998, 999]");
  assert.equal(v.values?.length, 1000);
});

Deno.test("formatValue() shows the start of a payload cut at max-bytes", () => {
  const { layout, payload } = encoded(
    Float32Array.from({ length: 10_000 }, (_, i) => i),
  );
  const cut = payload.subarray(0, 64);
  const v = formatValue(layout, cut, payload.length);
  assert.equal(v.complete, false);
  assert.equal(v.len, 10_000);
  assert.equal(v.values?.length, 16);
  assert.match(
    v.text,
    /^\[0, 1, 2, 3, 4, 5, 6, 7, …\] \(first 64 of 40000 bytes\)$/,
  );
});

Deno.test("formatValue() keeps the whole strings of a cut payload", () => {
  const { layout, payload } = encoded(["alpha", "beta", "gamma".repeat(40)]);
  // offsets and the first two strings arrived, not the third
  const cut = payload.subarray(0, layout!.bufs[2]![0] + 9);
  const v = formatValue(layout, cut, payload.length);
  assert.deepEqual(v.values, ["alpha", "beta"]);
});

Deno.test("formatValue() prints structs and lists readably", () => {
  const { layout, payload } = encodeJsonValue('[{"x": 1, "tags": ["a", "b"]}]');
  const v = formatValue(layout, payload, payload.length);
  assert.equal(v.type, "struct<x: i64, tags: list<utf8>>");
  assert.equal(v.text, '[{x: 1, tags: ["a", "b"]}]');
});

Deno.test("formatValue() says when a message carries no data", () => {
  const v = formatValue(undefined, null, 0);
  assert.equal(v.type, "empty");
  assert.deepEqual(v.values, []);
});

Deno.test("typeName() names nested types", () => {
  assert.equal(
    typeName({
      fixed_list: { name: "item", dt: "f32", nullable: false },
      size: 3,
    }),
    "fixed_list<f32; 3>",
  );
  assert.equal(typeName({ ts: "ns", tz: null }), "timestamp[ns]");
});
