import assert from "node:assert/strict";
import { InputBreaker } from "./input_breaker.ts";

Deno.test("InputBreaker.expired() ignores inputs that never received a message", () => {
  const b = new InputBreaker();
  b.guard("n", "in", 100);
  assert.deepEqual(b.expired(10_000), []);
});

Deno.test("InputBreaker.expired() breaks an armed input once", () => {
  const b = new InputBreaker();
  b.guard("n", "in", 100);
  assert.deepEqual(b.onMessage("n", "in", 0, false), "deliver");
  assert.deepEqual(b.expired(100), []);
  assert.deepEqual(b.expired(150), [{
    node: "n",
    input: "in",
    silentMs: 150,
    timeoutMs: 100,
  }]);
  assert.deepEqual(b.expired(300), []);
  assert.deepEqual(b.broken("n"), ["in"]);
});

Deno.test("InputBreaker.onMessage() recovers a broken input", () => {
  const b = new InputBreaker();
  b.guard("n", "in", 100);
  b.onMessage("n", "in", 0, false);
  b.expired(200);
  assert.deepEqual(b.onMessage("n", "in", 210, false), "recover");
  assert.deepEqual(b.broken("n"), []);
  assert.deepEqual(b.onMessage("n", "in", 220, false), "deliver");
  // The deadline restarted at the recovery.
  assert.deepEqual(b.expired(300), []);
  assert.deepEqual(b.expired(321).length, 1);
});

Deno.test("InputBreaker.onMessage() does not recover while backpressured", () => {
  const b = new InputBreaker();
  b.guard("n", "in", 100);
  b.onMessage("n", "in", 0, false);
  b.expired(200);
  assert.deepEqual(b.onMessage("n", "in", 210, true), "drop");
  assert.deepEqual(b.broken("n"), ["in"]);
  assert.deepEqual(b.onMessage("n", "in", 220, false), "recover");
});

Deno.test("InputBreaker.reset() disarms a restarted node's inputs", () => {
  const b = new InputBreaker();
  b.guard("n", "in", 100);
  b.onMessage("n", "in", 0, false);
  b.expired(200);
  b.reset("n");
  assert.deepEqual(b.broken("n"), []);
  assert.deepEqual(b.expired(10_000), []);
});

Deno.test("InputBreaker.onMessage() delivers unguarded inputs", () => {
  const b = new InputBreaker();
  assert.deepEqual(b.onMessage("n", "other", 0, true), "deliver");
});
