import assert from "node:assert/strict";
import { CATCH_UP, catchUpTicks, owedTicks, TimerHub } from "./timers.ts";

Deno.test("owedTicks() delivers what a short stall owes and counts a long one as missed", () => {
  assert.deepEqual(owedTicks(0.5, 1, 1, CATCH_UP), {
    deliver: 0,
    missed: 0,
    next: 1,
  });
  assert.deepEqual(owedTicks(1.2, 1, 1, CATCH_UP), {
    deliver: 1,
    missed: 0,
    next: 2,
  });
  // 3.5 periods late: the 4 owed ticks are delivered (no gap in the count).
  assert.deepEqual(owedTicks(4.5, 1, 1, CATCH_UP), {
    deliver: 4,
    missed: 0,
    next: 5,
  });
  // 30 periods late: one tick now, 29 counted as missed, no burst.
  assert.deepEqual(owedTicks(30.5, 1, 1, CATCH_UP), {
    deliver: 1,
    missed: 29,
    next: 31,
  });
});

Deno.test("catchUpTicks() delivers 100 ms of owed ticks, at least 10 and at most 1000", () => {
  assert.equal(catchUpTicks(1), 100); // 1 kHz: a 100 ms stall keeps the rate
  assert.equal(catchUpTicks(10), 10);
  assert.equal(catchUpTicks(1000), 10);
  assert.equal(catchUpTicks(0.05), 1000);
  assert.equal(catchUpTicks(0.001), 1000);
  // 1 kHz, 40 ms late: every owed tick is delivered.
  assert.deepEqual(owedTicks(41.5, 1, 1, catchUpTicks(1)), {
    deliver: 41,
    missed: 0,
    next: 42,
  });
});

Deno.test("TimerHub ticks each interval from its thread and stops", async () => {
  const seen = new Map<bigint, number>();
  let done!: () => void;
  const enough = new Promise<void>((r) => done = r);
  const hub = new TimerHub((i) => {
    seen.set(i, (seen.get(i) ?? 0) + 1);
    if ((seen.get(1_000_000n) ?? 0) >= 50 && (seen.get(5_000_000n) ?? 0) >= 5) {
      done();
    }
  });
  hub.add(1_000_000n);
  hub.add(5_000_000n);
  hub.add(1_000_000n);
  hub.start();
  await enough;
  hub.stop();
  const stats = hub.stats();
  assert.deepEqual(stats.map((s) => s.intervalNs), [1_000_000n, 5_000_000n]);
  for (const s of stats) assert.equal(s.ticks, seen.get(s.intervalNs));
  const after = seen.get(1_000_000n);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.get(1_000_000n), after);
});

Deno.test("TimerHub: two hubs share the ticker thread; stopping one leaves the other ticking", async () => {
  const count = { a: 0, b: 0 };
  let wake!: () => void;
  let want = 0;
  const until = (n: number) =>
    new Promise<void>((r) => {
      want = n;
      wake = r;
    });
  const a = new TimerHub(() => count.a++);
  const b = new TimerHub(() => {
    if (++count.b >= want) wake();
  });
  a.add(1_000_000n);
  b.add(2_000_000n);
  a.start();
  b.start();
  await until(10);
  a.stop();
  const stopped = count.a;
  await until(count.b + 10);
  assert.equal(count.a, stopped);
  // A hub that starts later gets its ticks too.
  const c = new TimerHub(() => wake());
  c.add(1_000_000n);
  c.start();
  await new Promise<void>((r) => wake = r);
  b.stop();
  c.stop();
});
