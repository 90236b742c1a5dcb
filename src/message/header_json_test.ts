import assert from "node:assert/strict";
import { outputHeaderJson } from "./header_json.ts";
import { encodeMetadata } from "./metadata.ts";
import { encodeValue, type SendableValue } from "./arrow_encode.ts";
import { vectorFromArray } from "apache-arrow";

Deno.test("outputHeaderJson() is JSON.stringify of the output header", () => {
  const values: SendableValue[] = [
    new Uint8Array(8),
    new Float64Array([1, 2]),
    new Uint8Array(0),
    "text",
    [1n, 2n],
    [true],
    vectorFromArray([[1, 2], [3]]),
    null,
  ];
  for (const value of values) {
    const d = encodeValue(value).layout;
    for (const params of [undefined, { seq: 1, tag: "a" }]) {
      const m = encodeMetadata(1795244433175377200n, params);
      for (
        const shm of [undefined, {
          name: '/dora-a-"q"-0',
          size: 64,
          token: "t:0:1",
        }]
      ) {
        for (const o of ["out", 'we"ird\u00e9']) {
          const header: Record<string, unknown> = { t: "output", o, m };
          if (d !== undefined) header.d = d;
          if (shm !== undefined) header.shm = shm;
          assert.equal(
            outputHeaderJson(JSON.stringify(o), m, d, shm),
            JSON.stringify(header),
          );
        }
      }
    }
  }
});
