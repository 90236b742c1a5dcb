import assert from "node:assert/strict";
import { RateWindow, sparkline } from "./rate_window.ts";

const ms = (n: number) => BigInt(n) * 1_000_000n;

Deno.test("RateWindow.stats() gives the period statistics and rate", () => {
  const w = new RateWindow(10_000);
  // periods 100, 100, 200, 100 ms (sender clock)
  for (
    const [t, arrival] of [[0, 0], [100, 100], [200, 200], [400, 400], [
      500,
      500,
    ]]
  ) {
    w.add(ms(1_000_000 + t!), arrival!, 8);
  }
  const s = w.stats(500);
  assert.equal(s.count, 5);
  assert.equal(s.avgMs, 125);
  assert.equal(s.hz, 8);
  assert.equal(s.minMs, 100);
  assert.equal(s.maxMs, 200);
  assert.ok(Math.abs(s.stdMs - 43.30127) < 1e-4);
  assert.equal(s.bytesPerSec, 4);
});

Deno.test("RateWindow leaves the period across lost messages out and counts them", () => {
  const w = new RateWindow(10_000);
  w.add(ms(0), 0);
  w.add(ms(10), 10);
  w.add(ms(50), 50, 0, 3); // three lost between: period unknown
  w.add(ms(60), 60);
  const s = w.stats(60);
  assert.equal(s.lost, 3);
  assert.equal(s.avgMs, 10);
});

Deno.test("RateWindow slides on the arrival clock: a silent topic decays to zero", () => {
  const w = new RateWindow(1000);
  w.add(ms(0), 0);
  w.add(ms(100), 100);
  assert.equal(w.stats(500).hz, 10);
  assert.equal(w.stats(5000).count, 0);
  assert.equal(w.stats(5000).hz, 0);
});

Deno.test("RateWindow.rateHistory() and histogram() describe the window", () => {
  const w = new RateWindow(10_000);
  for (let i = 0; i < 30; i++) w.add(ms(i * 100), i * 100);
  assert.deepEqual(w.rateHistory(3000, 3), [10, 10, 10]);
  const h = w.histogram(3000, 4);
  assert.deepEqual(h.counts, [29]);
});

Deno.test("sparkline() scales bars to the largest value", () => {
  assert.equal(sparkline([0, 7, 14]), "▁▅█");
  assert.equal(sparkline([0, 0]), "  ");
});
