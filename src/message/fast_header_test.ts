import assert from "node:assert/strict";
import { fastParseHeader } from "./fast_header.ts";
import { encodeMetadata } from "./metadata.ts";
import { encodeValue, type SendableValue } from "./arrow_encode.ts";

const values: SendableValue[] = [
  new Uint8Array(8),
  new Float32Array([1, 2, 3]),
  new BigInt64Array([1n]),
  "a string",
  ["x", "y"],
  [true, false],
  7.5,
  new Uint8Array(0),
  null,
];

Deno.test("fastParseHeader() equals JSON.parse for the headers our writers produce", () => {
  let fast = 0;
  for (const value of values) {
    const enc = encodeValue(value);
    for (const m of [encodeMetadata(1795244433175377200n)]) {
      for (
        const extra of [
          {},
          { shm: { name: "/dora-abc-n-0", size: 65536, token: "n:0:1" } },
        ]
      ) {
        for (
          const head of [{ t: "output", o: "out" }, { t: "input", id: "in" }]
        ) {
          const header = enc.layout
            ? { ...head, m, d: enc.layout, ...extra }
            : { ...head, m, ...extra };
          const text = JSON.stringify(header);
          const got = fastParseHeader(text);
          assert.ok(got, `not on the fast path: ${text}`);
          assert.deepEqual(got, JSON.parse(text), text);
          fast++;
        }
      }
    }
  }
  assert.ok(fast > 30);
});

Deno.test("fastParseHeader() leaves every other shape to JSON.parse", () => {
  const d =
    '"d":{"dt":"u8","len":1,"nulls":0,"off":0,"bufs":[null,[0,1]],"ch":[]}';
  for (
    const text of [
      // parameters, escapes, spacing, key order, nested types
      '{"t":"output","o":"out","m":{"ts":"1","p":{"k":["int",1]}}}',
      '{"t":"output","o":"o\\u0075t","m":{"ts":"1"}}',
      '{"t":"output", "o":"out","m":{"ts":"1"}}',
      '{"o":"out","t":"output","m":{"ts":"1"}}',
      `{"t":"output","o":"out","m":{"ts":"1"},${
        d.replace('"u8"', '{"list":1}')
      }}`,
      // mismatched id key, leading zeros (invalid JSON), extra fields
      '{"t":"input","o":"out","m":{"ts":"1"}}',
      '{"t":"output","id":"out","m":{"ts":"1"}}',
      `{"t":"output","o":"out","m":{"ts":"1"},${
        d.replace('"len":1', '"len":01')
      }}`,
      `{"t":"output","o":"out","m":{"ts":"1"},${d},"x":1}`,
      '{"t":"next","max":256}',
      '{"t":"output","o":"out","m":{"ts":"1"}} ',
    ]
  ) {
    assert.equal(fastParseHeader(text), undefined, text);
  }
});
