import assert from "node:assert/strict";
import type { InputSpec } from "../../descriptor/model.ts";
import { ReceiverQueue } from "./receiver_queue.ts";

function input(
  id: string,
  queueSize: number,
  queuePolicy: InputSpec["queuePolicy"] = "drop_oldest",
): InputSpec {
  return {
    id,
    sourceText: `src/${id}`,
    source: { kind: "node", node: "src", output: id },
    queueSize,
    queuePolicy,
  };
}

const msg = (id: string, n: number) => ({
  header: { t: "input", id, m: { ts: "1", p: { n: ["int", n] } } },
  payload: null,
  from: "src",
});
const ids = (events: { header: Record<string, unknown> }[]) =>
  events.map((e) =>
    e.header.t === "input"
      ? `${e.header.id}${(e.header.m as { p: { n: [string, number] } }).p.n[1]}`
      : String(e.header.t)
  );

Deno.test("ReceiverQueue drops the oldest message and counts it", () => {
  const drops: number[] = [];
  const q = new ReceiverQueue([input("a", 2)], {
    onDrop: (_i, _m, total) => drops.push(total),
  });
  for (let n = 0; n < 5; n++) q.pushInput("a", msg("a", n));
  assert.deepEqual(drops, [1, 2, 3]);
  assert.deepEqual(q.drops(), { a: 3 });
  assert.deepEqual(ids(q.take(10)), ["a3", "a4"]);
});

Deno.test("ReceiverQueue serves control events first and inputs fairly", () => {
  const q = new ReceiverQueue([input("a", 10), input("b", 10)], {
    onDrop() {},
  });
  for (let n = 0; n < 3; n++) q.pushInput("a", msg("a", n));
  q.pushInput("b", msg("b", 0));
  q.pushControl({ t: "node_restarted", id: "src" });
  assert.deepEqual(ids(q.take(10)), [
    "node_restarted",
    "a0",
    "b0",
    "a1",
    "a2",
  ]);
});

Deno.test("ReceiverQueue sends input_closed and STOP(ALL_INPUTS_CLOSED) only after queued data", () => {
  const q = new ReceiverQueue([input("a", 10), input("b", 10)], {
    onDrop() {},
  });
  q.pushInput("a", msg("a", 0));
  q.pushInput("a", msg("a", 1));
  q.closeInput("a");
  q.closeInput("b");
  assert.deepEqual(ids(q.take(2)), ["input_closed", "a0"]);
  assert.deepEqual(ids(q.take(10)), ["a1", "input_closed", "stop"]);
  assert.equal(q.hasEvents, false);
});

Deno.test("ReceiverQueue backpressure never drops and reports when full", () => {
  const q = new ReceiverQueue([input("a", 2, "backpressure")], {
    onDrop: () => assert.fail("dropped"),
  });
  for (let n = 0; n < 25; n++) q.pushInput("a", msg("a", n));
  assert.equal(q.isFull("a"), true);
  assert.equal(q.take(100).length, 25);
  assert.equal(q.isFull("a"), false);
});

Deno.test("ReceiverQueue.offerInput() drops and counts on a full backpressure input", () => {
  const q = new ReceiverQueue([input("a", 1, "backpressure")], { onDrop() {} });
  for (let n = 0; n < 12; n++) q.offerInput("a", msg("a", n));
  assert.equal(q.queued("a"), 10);
  assert.deepEqual(q.drops(), { a: 2 });
});

Deno.test("ReceiverQueue.take() sends STOP without the inputs queued behind it", () => {
  const q = new ReceiverQueue([input("a", 10)], { onDrop: () => {} });
  q.pushInput("a", msg("a", 1));
  q.pushInput("a", msg("a", 2));
  q.pushControl({ t: "stop", cause: "MANUAL" });
  assert.deepEqual(ids(q.take(10)), ["stop"]);
  assert.equal(q.clear().length, 2);
});

Deno.test("ReceiverQueue tells onLeave when a credited message is taken, dropped or cleared", () => {
  const left: string[] = [];
  const q = new ReceiverQueue([
    {
      id: "bp",
      queueSize: 1,
      queuePolicy: "backpressure",
    } as unknown as InputSpec,
    {
      id: "drop",
      queueSize: 1,
      queuePolicy: "drop_oldest",
    } as unknown as InputSpec,
  ], {
    onDrop: () => {},
    onLeave: (input, m) => left.push(`${input}:${m.header.n}`),
  });
  const msg = (n: number, credit = true) => ({
    header: { t: "input", n },
    payload: null,
    from: "remote",
    credit,
  });
  q.pushInput("bp", msg(1));
  q.pushInput("bp", msg(2, false));
  q.pushInput("drop", msg(3));
  q.pushInput("drop", msg(4));
  assert.deepEqual(left, ["drop:3"]);
  q.takeInputs(1);
  assert.deepEqual(left, ["drop:3", "bp:1"]);
  q.pushInput("bp", msg(5));
  q.clear();
  assert.deepEqual(left, ["drop:3", "bp:1", "bp:5", "drop:4"]);
});
