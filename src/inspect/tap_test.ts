import assert from "node:assert/strict";
import { TapQueue } from "./tap.ts";

const msg = (ts: number) => ({ ts: String(ts), bytes: null, size: 0 });

Deno.test("TapQueue drops its oldest copies when full and counts them", () => {
  let closed = 0;
  const q = new TapQueue({ queueSize: 3 }, () => closed++);
  for (let i = 0; i < 5; i++) q.push(msg(i));
  assert.equal(q.pending, 3);
  const { messages, lost } = q.drain();
  assert.deepEqual(messages.map((m) => m.ts), ["2", "3", "4"]);
  assert.equal(lost, 2);
  assert.deepEqual(q.drain(), { messages: [], lost: 0 });
  q.close();
  q.close();
  assert.equal(closed, 1);
  q.push(msg(9));
  assert.equal(q.pending, 0, "a closed tap takes nothing");
});

Deno.test("TapQueue signals only when it stops being empty", () => {
  let signals = 0;
  const q = new TapQueue(
    { queueSize: 8, onMessage: () => signals++ },
    () => {},
  );
  q.push(msg(1));
  q.push(msg(2));
  assert.equal(signals, 1);
  q.drain();
  q.push(msg(3));
  assert.equal(signals, 2);
});
