import assert from "node:assert/strict";
import { parseDuration } from "./duration.ts";

Deno.test("parseDuration() reads seconds, units and combinations", () => {
  assert.equal(parseDuration("30"), 30_000);
  assert.equal(parseDuration("1.5"), 1_500);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("10s"), 10_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("2d"), 172_800_000);
  assert.equal(parseDuration("1m30s"), 90_000);
});

Deno.test("parseDuration() rejects anything else", () => {
  for (const bad of ["", "s", "10x", "-5s", "5 s", "1m foo"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});
