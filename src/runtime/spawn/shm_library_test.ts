import assert from "node:assert/strict";
import { build, shmLibraryForRun } from "./shm_library.ts";
import { sourceRoot } from "../../dora_command.ts";
import { libraryCalls } from "../../shm/library_calls.ts";
import { regionPrefix } from "../../shm/region_name.ts";
import { ShmError, ShmRegion, ShmSizeError } from "../../shm/region.ts";

const SOURCE = `${sourceRoot()}/src/shm/dora_shm.c`;

Deno.test("build() compiles once per source and rebuilds a changed one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = build(SOURCE, `${dir}/cache`);
    assert.ok("path" in first, JSON.stringify(first));
    const mtime = Deno.statSync(first.path).mtime;
    assert.deepEqual(build(SOURCE, `${dir}/cache`), first);
    assert.deepEqual(Deno.statSync(first.path).mtime, mtime);
    assert.equal((Deno.statSync(first.path).mode ?? 0) & 0o022, 0);
    const changed = `${dir}/changed.c`;
    Deno.writeTextFileSync(changed, Deno.readTextFileSync(SOURCE) + "\n//\n");
    const second = build(changed, `${dir}/cache`);
    assert.ok("path" in second && second.path !== first.path);
    // Only the two libraries: no temporary files left behind.
    assert.equal([...Deno.readDirSync(`${dir}/cache`)].length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shmLibraryForRun() warns once per run when there is no library", () => {
  const get = shmLibraryForRun(() => ({ problem: "no C compiler" }));
  assert.match(get().warning!, /through the socket.*no C compiler/);
  assert.deepEqual(get(), {});
});

Deno.test("dora's library maps regions zero-copy and refuses names that are not regions", async () => {
  const dir = await Deno.makeTempDir();
  const lib = build(SOURCE, dir);
  assert.ok("path" in lib, JSON.stringify(lib));
  const calls = libraryCalls(lib.path);
  const name = `${regionPrefix(crypto.randomUUID(), "cam/era")}${Deno.pid}-0`;
  const size = 256 * 1024;
  try {
    const w = ShmRegion.create(calls, name, size);
    const r = ShmRegion.open(calls, name, 1000);
    assert.equal(r.size, size);
    new Uint8Array(w.buffer)[size - 1] = 7;
    assert.equal(new Uint8Array(r.buffer)[size - 1], 7);
    assert.throws(() => ShmRegion.open(calls, name, size + 1), ShmSizeError);
    assert.throws(() => ShmRegion.create(calls, name, size), /EEXIST/);
    for (const bad of [`${name}/../../../etc/hostname`, "/etc/hostname"]) {
      assert.throws(
        () => ShmRegion.open(calls, bad, 1),
        (e) => e instanceof ShmError && /refused/.test(e.message),
      );
    }
    // Only over page-aligned private memory: not one byte into a buffer.
    const raw = Deno.dlopen(lib.path, {
      dora_shm_map: { parameters: ["buffer", "buffer", "u64"], result: "i64" },
    });
    const mem = new WebAssembly.Memory({ initial: 4, maximum: 4 });
    const misaligned = new Uint8Array(mem.buffer, 1, 4096);
    const code = raw.symbols.dora_shm_map(
      new TextEncoder().encode(name + "\0"),
      misaligned,
      4096n,
    );
    raw.close();
    assert.equal(-Number(code) >> 16, 6, String(code));
    w.unlink();
    r.unmap();
    w.unmap();
    assert.equal(new Uint8Array(w.buffer)[size - 1], 0);
  } finally {
    await Deno.remove(`/dev/shm${name}`).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
