import assert from "node:assert/strict";
import { asNodeToDaemon, type OutputHeader } from "../../message/mod.ts";
import { forwardTail, inputHead } from "./input_header.ts";

function output(text: string): OutputHeader {
  return asNodeToDaemon(JSON.parse(text)) as OutputHeader;
}

Deno.test("forwardTail() turns a compact output header into an input header verbatim", () => {
  const text =
    '{"t":"output","o":"img","m":{"ts":"12","p":{"k":["int",1]}},"d":{"dt":"u8","len":1,"nulls":0,"off":0,"bufs":[null,[0,1]],"ch":[]},"shm":{"name":"/x","size":64,"token":"a:0:1"}}';
  const tail = forwardTail(text, output(text));
  assert.ok(tail !== undefined);
  const forwarded = JSON.parse(inputHead('in"1') + tail);
  const original = JSON.parse(text);
  assert.deepEqual(forwarded, {
    t: "input",
    id: 'in"1',
    m: original.m,
    d: original.d,
    shm: original.shm,
  });
});

Deno.test("forwardTail() refuses headers that cannot be reused as they are", () => {
  for (
    const text of [
      // other key order or spacing before `o`
      '{"o":"img","t":"output","m":{"ts":"1"}}',
      '{"t": "output","o":"img","m":{"ts":"1"}}',
      // an extra top-level field would reach the receiver
      '{"t":"output","o":"img","m":{"ts":"1"},"id":"evil"}',
      // a repeated t or o: the receiver's parser keeps the last one
      '{"t":"output","o":"img","m":{"ts":"1"},"t":"output"}',
      '{"t":"output","o":"a","m":{"ts":"1"},"o":"img"}',
      // escaped output id
      '{"t":"output","o":"i\\u006dg","m":{"ts":"1"}}',
    ]
  ) {
    assert.equal(forwardTail(text, output(text)), undefined, text);
  }
});
