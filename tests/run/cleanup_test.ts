/**
 * `dora run` cleans up after runs that died: their runtime folders and their
 * shared-memory regions are removed at the next start; its own are removed at
 * the end.
 */
import assert from "node:assert/strict";
import { runtimeBase } from "../../src/runtime/mod.ts";
import { fixture, runDora, tempDataflow } from "../_support/dora.ts";

Deno.test("dora run removes the runtime folder and shm regions of dead runs", async () => {
  // A run whose dora process is gone: a pid that cannot be alive.
  const id = crypto.randomUUID();
  const dir = `${runtimeBase()}/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/owner.pid`, "2147483646");
  const region = `/dev/shm/dora-${id.replace(/-/g, "")}-sender-0`;
  await Deno.writeFile(region, new Uint8Array(64));
  // A region of a live run (no runtime folder known as dead) is left alone.
  const other = `/dev/shm/dora-${crypto.randomUUID().replace(/-/g, "")}-x-0`;
  await Deno.writeFile(other, new Uint8Array(64));
  try {
    await using df = await tempDataflow(`
nodes:
  - id: logger
    path: ${fixture("py/logger.py")}
`);
    const r = await runDora(["run", df.path]);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(region), Deno.errors.NotFound);
    await Deno.stat(other);
    // The run's own runtime folder is gone too.
    const own = /dataflow ([0-9a-f-]{36}) started/.exec(r.stderr)![1]!;
    await assert.rejects(
      Deno.stat(`${runtimeBase()}/${own}`),
      Deno.errors.NotFound,
    );
  } finally {
    for (const p of [dir, region, other]) {
      await Deno.remove(p, { recursive: true }).catch(() => {});
    }
  }
});
