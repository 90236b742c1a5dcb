import assert from "node:assert/strict";
import { align64, decodeFrame, encodeFrame, MAX_FRAME_LEN } from "./frame.ts";
import { ProtocolError } from "./errors.ts";

Deno.test("encodeFrame() writes lengths, header and no padding without payload", () => {
  const bytes = encodeFrame({ t: "ready" });
  // {"t":"ready"} is 13 bytes
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [
    17,
    0,
    0,
    0,
    13,
    0,
    0,
    0,
  ]);
  assert.equal(new TextDecoder().decode(bytes.subarray(8)), '{"t":"ready"}');
});

Deno.test("encodeFrame() pads the payload to a 64-byte boundary", () => {
  const bytes = encodeFrame({ t: "next" }, new Uint8Array([1, 2, 3]));
  assert.equal(bytes.length, 64 + 3);
  assert.equal(new DataView(bytes.buffer).getUint32(0, true), 63);
  assert.deepEqual(Array.from(bytes.subarray(20, 64)), new Array(44).fill(0));
  assert.deepEqual(Array.from(bytes.subarray(64)), [1, 2, 3]);
  const back = decodeFrame(bytes);
  assert.deepEqual(back.header, { t: "next" });
  assert.deepEqual(Array.from(back.payload!), [1, 2, 3]);
  assert.equal(back.payload!.byteOffset % 64, 0);
});

Deno.test("align64() rounds up to multiples of 64", () => {
  assert.deepEqual([0, 1, 63, 64, 65].map(align64), [0, 64, 64, 64, 128]);
});

Deno.test("decodeFrame() rejects an oversized frame_len naming the limit", () => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, MAX_FRAME_LEN + 1, true);
  assert.throws(
    () => decodeFrame(bytes),
    (e: Error) =>
      e instanceof ProtocolError && /frame too large.*67108864/.test(e.message),
  );
});
