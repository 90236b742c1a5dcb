import assert from "node:assert/strict";
import { libc } from "./libc.ts";
import { libcCalls } from "./libc_calls.ts";
import { ShmRegion } from "./region.ts";
import { regionPrefix, ShmPool, sizeClass } from "./pool.ts";
import { ShmMappings } from "./receiver.ts";
import { cleanupStaleRegions } from "./cleanup.ts";

const c = libcCalls(libc()!);
const prefix = regionPrefix(crypto.randomUUID(), "unit/test");

Deno.test("regionPrefix() keeps names safe for shm_open", () => {
  assert.equal(
    regionPrefix("0193A6F2-7c1e-7d2a-9b3c-4d5e6f708192", "cam/era"),
    "/dora-0193a6f27c1e7d2a9b3c4d5e6f708192-cam_era-",
  );
  assert.equal(sizeClass(1), 65536);
  assert.equal(sizeClass(65537), 131072);
});

Deno.test("ShmRegion.create() maps a region another mapping reads zero-copy", () => {
  const name = `${prefix}region`;
  const w = ShmRegion.create(c, name, 65536);
  try {
    new Uint8Array(w.buffer).set([1, 2, 3], 100);
    const r = new ShmMappings(c).bytes(name, 65536);
    assert.deepEqual(Array.from(r.subarray(100, 103)), [1, 2, 3]);
    new Uint8Array(w.buffer)[100] = 42; // live view, no copy
    assert.equal(r[100], 42);
    assert.throws(() => ShmRegion.create(c, name, 65536), /EEXIST/);
  } finally {
    w.unlink();
  }
});

Deno.test("ShmPool reuses a region only after its token is released", async () => {
  const created: string[] = [];
  const pool = new ShmPool(c, {
    prefix,
    tokenPrefix: "t",
    onCreate: (name) => created.push(name),
  });
  try {
    const a = pool.acquire(10_000)!;
    const ta = pool.lend(a);
    const b = pool.acquire(10_000)!;
    assert.notEqual(a.region.name, b.region.name);
    pool.lend(b);
    pool.release([ta]);
    const again = pool.acquire(5000)!;
    assert.equal(again.region.name, a.region.name);
    assert.equal(created.length, 2);
    assert.equal(pool.lentCount, 1);
    // Unique per process: a restarted node never reuses a cached name.
    assert.deepEqual(created, [
      `${prefix}${Deno.pid}-0`,
      `${prefix}${Deno.pid}-1`,
    ]);
  } finally {
    const removed = await cleanupStaleRegions(prefix);
    assert.equal(removed.length, 2);
  }
});

Deno.test("ShmPool falls back (null) with one warning when its budget is spent", async () => {
  const warnings: string[] = [];
  const pool = new ShmPool(c, {
    prefix,
    tokenPrefix: "t",
    maxBytes: 65536,
    warn: (m) => warnings.push(m),
  });
  try {
    pool.lend(pool.acquire(1)!);
    assert.equal(pool.acquire(1), null);
    assert.equal(pool.acquire(1), null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /pool is full/);
  } finally {
    await cleanupStaleRegions(prefix);
  }
});

Deno.test("cleanupStaleRegions() keeps what keep() protects", async () => {
  const a = ShmRegion.create(c, `${prefix}keep`, 65536);
  const b = ShmRegion.create(c, `${prefix}drop`, 65536);
  const removed = await cleanupStaleRegions(prefix, (n) => n.endsWith("keep"));
  assert.deepEqual(removed, [b.name.slice(1)]);
  a.unlink();
});

Deno.test("ShmPool prefers the socket once a size class has regionsPerSize regions lent", async () => {
  const pool = new ShmPool(c, { prefix, tokenPrefix: "t", regionsPerSize: 2 });
  try {
    pool.lend(pool.acquire(1)!);
    pool.lend(pool.acquire(1)!);
    assert.equal(pool.acquire(1), null);
    assert.ok(pool.acquire(1, true), "mustFit may exceed the per-size limit");
    assert.ok(pool.acquire(200_000), "other sizes are unaffected");
  } finally {
    await cleanupStaleRegions(prefix);
  }
});
