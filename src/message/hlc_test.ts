import assert from "node:assert/strict";
import { HybridLogicalClock, wallClockNs } from "./hlc.ts";

Deno.test("HybridLogicalClock.now() never goes backwards when the wall clock does", () => {
  let wall = 1000n;
  const clock = new HybridLogicalClock(() => wall);
  assert.equal(clock.now(), 1000n);
  wall = 500n;
  assert.equal(clock.now(), 1001n);
  assert.equal(clock.now(), 1002n);
  wall = 2000n;
  assert.equal(clock.now(), 2000n);
});

Deno.test("HybridLogicalClock.update() moves past a received timestamp", () => {
  const clock = new HybridLogicalClock(() => 10n);
  clock.update(5000n);
  assert.equal(clock.now(), 5001n);
  clock.update(100n);
  assert.equal(clock.now(), 5002n);
});

Deno.test("wallClockNs() is close to Date.now()", () => {
  const diff = wallClockNs() / 1_000_000n - BigInt(Date.now());
  assert.ok(diff >= -1000n && diff <= 1000n);
});
