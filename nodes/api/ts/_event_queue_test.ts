import assert from "node:assert/strict";
import { EventQueue } from "./_event_queue.ts";

Deno.test("EventQueue holds a message that came before its input's settings, then takes them", () => {
  const q = new EventQueue<string>({});
  const dropped: string[] = [];
  // A route added at run time: the link was faster than the settings.
  for (let i = 0; i < 50; i++) {
    q.pushInput("late", `m${i}`, (e) => dropped.push(e));
  }
  assert.equal(dropped.length, 0);
  assert.equal(q.unreadInputs, 50);
  q.addInput("late", { queue_size: 2, queue_policy: "drop_oldest" });
  q.pushInput("late", "m50", (e) => dropped.push(e));
  assert.deepEqual(dropped, ["m0"]);
});

Deno.test("EventQueue keeps the settings of an input it already knew", () => {
  const q = new EventQueue<string>({ a: { queue_size: 1 } });
  q.addInput("a", { queue_size: 100, queue_policy: "backpressure" });
  const dropped: string[] = [];
  q.pushInput("a", "x", (e) => dropped.push(e));
  q.pushInput("a", "y", (e) => dropped.push(e));
  assert.deepEqual(dropped, ["x"]);
});
