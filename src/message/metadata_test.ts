import assert from "node:assert/strict";
import { decodeMetadata, encodeMetadata, encodeParam } from "./metadata.ts";
import { ProtocolError } from "./errors.ts";

Deno.test("encodeMetadata() round-trips every parameter type", () => {
  const when = new Date(1763712000123);
  const params = {
    b: false,
    i: 3,
    big: 2n ** 60n,
    f: 1.25,
    s: "x",
    is: [1, 2],
    fs: [0.5, -Infinity],
    ss: ["a"],
    when,
  };
  const m = encodeMetadata(42n, params);
  assert.equal(m.ts, "42");
  const back = decodeMetadata(JSON.parse(JSON.stringify(m)));
  assert.equal(back.timestamp, 42n);
  assert.deepEqual(back.parameters, { ...params, big: 2n ** 60n });
});

Deno.test("encodeMetadata() leaves p out without parameters", () => {
  assert.deepEqual(encodeMetadata(1n), { ts: "1" });
  assert.deepEqual(encodeMetadata(1n, {}), { ts: "1" });
});

Deno.test("encodeParam() rejects values the protocol cannot carry", () => {
  assert.throws(() => encodeParam("k", { a: 1 } as never), /parameter "k"/);
  assert.throws(() => encodeParam("k", [1, "a"] as never), /parameter "k"/);
  assert.throws(() => encodeParam("k", 2n ** 64n), /does not fit in an i64/);
});

Deno.test("decodeMetadata() names a malformed timestamp", () => {
  assert.throws(
    () => decodeMetadata({ ts: "12x" }),
    (e: Error) => e instanceof ProtocolError && /"ts"/.test(e.message),
  );
});
