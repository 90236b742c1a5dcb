import assert from "node:assert/strict";
import type { Event, InputEvent } from "../../api/ts/mod.ts";
import { Inbox } from "./inbox.ts";
import { internalEvent, toVector } from "./internal_event.ts";
import { HybridLogicalClock } from "../../../src/message/mod.ts";

const clock = new HybridLogicalClock();
const released: number[] = [];
function input(id: string, n: number): InputEvent {
  const e = internalEvent(id, toVector([n]), clock.now(), undefined);
  e.release = () => released.push(n);
  return e;
}
const show = (e: Event | null | undefined) =>
  e === null
    ? "end"
    : e === undefined
    ? "none"
    : e.type === "INPUT"
    ? `${e.id}${e.value.get(0)}`
    : e.type === "STOP"
    ? `STOP ${e.cause}`
    : `${e.type} ${"id" in e ? e.id : ""}`;
const drain = (inbox: Inbox) => {
  const out: string[] = [];
  for (;;) {
    const e = inbox.take();
    out.push(show(e));
    if (e === null || e === undefined) return out;
  }
};

Deno.test("Inbox drops (and releases) the oldest event of a full drop_oldest input", () => {
  released.length = 0;
  const drops: number[] = [];
  const inbox = new Inbox(
    { a: { queue_size: 2, queue_policy: "drop_oldest" } },
    (_input, total) => drops.push(total),
  );
  for (let n = 0; n < 4; n++) inbox.push("a", input("a", n));
  // A drop_oldest queue never holds the sender back.
  assert.equal(inbox.isFull("a"), false);
  assert.deepEqual(drops, [1, 2]);
  assert.deepEqual(released, [0, 1]);
  assert.deepEqual(inbox.drops(), { a: 2 });
  assert.deepEqual(drain(inbox), ["a2", "a3", "none"]);
});

Deno.test("Inbox holds ten times the queue size of a backpressure input", () => {
  const inbox = new Inbox(
    { a: { queue_size: 2, queue_policy: "backpressure" } },
    () => assert.fail("dropped"),
  );
  for (let n = 0; n < 20; n++) inbox.push("a", input("a", n));
  assert.equal(inbox.isFull("a"), true);
  inbox.take();
  assert.equal(inbox.isFull("a"), false);
});

Deno.test("Inbox serves inputs fairly and closes an input after its queued data, then STOP", () => {
  const inbox = new Inbox({
    a: { queue_size: 10, queue_policy: "drop_oldest" },
    b: { queue_size: 10, queue_policy: "drop_oldest" },
  }, () => {});
  inbox.push("a", input("a", 1));
  inbox.push("a", input("a", 2));
  inbox.push("b", input("b", 1));
  inbox.close("a");
  inbox.close("b");
  assert.deepEqual(drain(inbox), [
    "a1",
    "b1",
    "INPUT_CLOSED b",
    "a2",
    "INPUT_CLOSED a",
    "STOP ALL_INPUTS_CLOSED",
    "end",
  ]);
});

Deno.test("Inbox.stop() overtakes queued inputs and ends the inbox", async () => {
  const inbox = new Inbox(
    { a: { queue_size: 10, queue_policy: "drop_oldest" } },
    () => {},
  );
  inbox.push("a", input("a", 1));
  const next = inbox.next();
  inbox.stop({ type: "STOP", cause: "MANUAL" });
  assert.equal(show(await next), "a1");
  assert.deepEqual(drain(inbox), ["STOP MANUAL", "end"]);
  assert.equal(inbox.ended, true);
});
