import assert from "node:assert/strict";
import { offerToTaps, Tap, type TapMessage } from "./taps.ts";

const msg = (ts: number): TapMessage => ({
  node: "n",
  output: "o",
  metadata: { ts: String(ts) },
  layout: undefined,
  payload: null,
  size: 0,
  truncated: false,
  shm: false,
});

Deno.test("Tap.drain() returns the newest copies of a full queue and how many it dropped", () => {
  let closed = 0;
  const tap = new Tap("n", "o", { queueSize: 3 }, () => closed++);
  for (let i = 0; i < 5; i++) tap.offer(msg(i));
  assert.equal(tap.pending, 3);
  const { messages, lost } = tap.drain();
  assert.deepEqual(messages.map((m) => m.metadata.ts), ["2", "3", "4"]);
  assert.equal(lost, 2);
  assert.equal(tap.lost, 2, "lost stays the total");
  assert.deepEqual(tap.drain(), { messages: [], lost: 0 });
  tap.close();
  tap.close();
  assert.equal(closed, 1);
  tap.offer(msg(9));
  assert.equal(tap.pending, 0, "a closed tap takes nothing");
});

Deno.test("Tap calls onMessage only when its queue stops being empty", () => {
  let signals = 0;
  const tap = new Tap(
    "n",
    "o",
    { queueSize: 8, onMessage: () => signals++ },
    () => {},
  );
  tap.offer(msg(1));
  tap.offer(msg(2));
  assert.equal(signals, 1);
  tap.drain();
  tap.offer(msg(3));
  assert.equal(signals, 2);
});

Deno.test("Tap keeps order across its ring's growth and wrap-around", async () => {
  const tap = new Tap("n", "o", { queueSize: 5000 }, () => {});
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 1500; i++) tap.offer(msg(next++));
    for (let i = 0; i < 1000; i++) {
      const m = await tap.next();
      assert.equal(m!.metadata.ts, String(expected++));
    }
  }
  assert.equal(tap.lost, 0);
  const rest = tap.drain().messages.map((m) => Number(m.metadata.ts));
  assert.deepEqual(rest, Array.from({ length: 1500 }, (_, i) => 3000 + i));
});

Deno.test("offerToTaps() counts a copy it cannot read as lost and copies up to maxBytes", () => {
  const small = new Tap("n", "o", { maxBytes: 2 }, () => {});
  const none = new Tap("n", "o", { maxBytes: 0 }, () => {});
  offerToTaps(
    new Set([small, none]),
    () => null,
    "n",
    "o",
    { ts: "1" },
    undefined,
    undefined,
    new Uint8Array([1, 2, 3]),
  );
  const [m] = small.drain().messages;
  assert.deepEqual([...m!.payload!], [1, 2]);
  assert.equal(m!.size, 3);
  assert.equal(m!.truncated, true);
  assert.equal(none.drain().messages[0]!.payload, null);
  const shm = new Tap("n", "o", { maxBytes: 16 }, () => {});
  offerToTaps(
    new Set([shm]),
    () => {
      throw new Error("region gone");
    },
    "n",
    "o",
    { ts: "2" },
    { bufs: [[0, 8]] } as never,
    { name: "/gone", size: 8, token: "t" },
    null,
  );
  assert.deepEqual(shm.drain(), { messages: [], lost: 1 });
});
