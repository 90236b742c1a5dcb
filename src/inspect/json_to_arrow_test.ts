import assert from "node:assert/strict";
import { decodeValue } from "../message/mod.ts";
import { encodeJsonValue, JsonToArrowError } from "./json_to_arrow.ts";
import { toPlain } from "./value_format.ts";

function roundTrip(text: string): { dt: unknown; values: unknown[] } {
  const { layout, payload } = encodeJsonValue(text);
  return {
    dt: layout?.dt,
    values: [...decodeValue(layout, payload)].map((v) => toPlain(v)),
  };
}

Deno.test("encodeJsonValue() turns JSON numbers, strings and booleans into Arrow arrays", () => {
  assert.deepEqual(roundTrip("[1, 2, 3]"), { dt: "i64", values: [1, 2, 3] });
  assert.deepEqual(roundTrip("[1, 2.5]"), { dt: "f64", values: [1, 2.5] });
  assert.deepEqual(roundTrip('["a", null]'), {
    dt: "utf8",
    values: ["a", null],
  });
  assert.deepEqual(roundTrip("true"), { dt: "bool", values: [true] });
  assert.deepEqual(roundTrip("42"), { dt: "i64", values: [42] });
});

Deno.test("encodeJsonValue() turns lists into List and objects into Struct", () => {
  assert.deepEqual(roundTrip("[[1, 2], [], null]"), {
    dt: { list: { name: "item", dt: "i64", nullable: true } },
    values: [[1, 2], [], null],
  });
  const r = roundTrip('[{"x": 1, "name": "a"}, {"x": 2.5}]');
  assert.deepEqual(r.values, [{ x: 1, name: "a" }, { x: 2.5, name: null }]);
  assert.deepEqual(
    (r.dt as { struct: { name: string; dt: string }[] }).struct.map((f) => [
      f.name,
      f.dt,
    ]),
    [["x", "f64"], ["name", "utf8"]],
  );
  assert.deepEqual(roundTrip('{"threshold": 0.5}').values, [{
    threshold: 0.5,
  }]);
});

Deno.test("encodeJsonValue() refuses mixed lists and bad JSON, naming where", () => {
  assert.throws(
    () => encodeJsonValue('[1, "a"]'),
    (e) =>
      e instanceof JsonToArrowError && e.path === "$[1]" &&
      /a string where the elements before are numbers/.test(e.message),
  );
  assert.throws(
    () => encodeJsonValue('{"a": [[1], ["x"]]}'),
    (e) => e instanceof JsonToArrowError && e.path === "$.a[1]",
  );
  assert.throws(
    () => encodeJsonValue("[1, 2"),
    (e) => e instanceof JsonToArrowError && /not valid JSON/.test(e.message),
  );
});
