import assert from "node:assert/strict";
import { HealthMonitor } from "./health_monitor.ts";

Deno.test("HealthMonitor.expired() reports a node silent past its timeout once", () => {
  const m = new HealthMonitor();
  m.watch("a", 1000, 0);
  assert.deepEqual(m.expired(1000), []);
  assert.deepEqual(m.expired(1001), [{
    node: "a",
    silentMs: 1001,
    timeoutMs: 1000,
  }]);
  assert.deepEqual(m.expired(5000), []);
  assert.deepEqual(m.has("a"), false);
});

Deno.test("HealthMonitor.activity() restarts the clock", () => {
  const m = new HealthMonitor();
  m.watch("a", 1000, 0);
  m.activity("a", 900);
  assert.deepEqual(m.expired(1800), []);
  assert.deepEqual(m.expired(1901).length, 1);
});

Deno.test("HealthMonitor.waiting() spares a node parked in next", () => {
  const m = new HealthMonitor();
  m.watch("a", 1000, 0);
  m.waiting("a", true, 100);
  assert.deepEqual(m.expired(10_000), []);
  m.waiting("a", false, 10_000);
  assert.deepEqual(m.expired(10_500), []);
  assert.deepEqual(m.expired(11_001).length, 1);
});

Deno.test("HealthMonitor.watch() gives a restarted node a fresh clock", () => {
  const m = new HealthMonitor();
  m.watch("a", 1000, 0);
  m.unwatch("a");
  m.watch("a", 1000, 5000);
  assert.deepEqual(m.expired(5500), []);
});

Deno.test("HealthMonitor.expired() restarts the clock of a node found waiting", () => {
  const m = new HealthMonitor();
  m.watch("a", 1000, 0);
  assert.deepEqual(m.expired(5000, () => true), []);
  assert.deepEqual(m.expired(5500), []);
  assert.deepEqual(m.expired(6001).length, 1);
});
