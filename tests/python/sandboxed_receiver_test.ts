/**
 * End-to-end: receivers that cannot map shared memory — a TypeScript node
 * without FFI, a node whose `hello` says `shm: false` — get shared-memory
 * payloads inline: the daemon copies them into the socket frame.
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test({
  name:
    "a TypeScript node with ffi: false gets Python's shared-memory outputs inline",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "dora-py-noffi-" });
    try {
      const example = `${ROOT}/examples/mixed-dataflow`;
      for (const f of Deno.readDirSync(example)) {
        if (f.isFile && /\.(ts|py)$/.test(f.name)) {
          await Deno.copyFile(`${example}/${f.name}`, `${dir}/${f.name}`);
        }
      }
      const yml = (await Deno.readTextFile(`${example}/dataflow.yml`)).replace(
        "    path: ts_sink.ts\n",
        "    path: ts_sink.ts\n    permissions:\n      ffi: false\n",
      );
      await Deno.writeTextFile(`${dir}/dataflow.yml`, yml);
      const run = await runDora(["run", `${dir}/dataflow.yml`]);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.match(
        output,
        /ts_sink: SUCCESS: 10 arrays TS -> Python -> TS in order; 10 MB bit-exact/,
      );
      assert.deepEqual(run.code, 0, output);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a node whose hello says shm: false gets shared-memory payloads inline", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-py-noshm-" });
  try {
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: sender
    path: ${ROOT}/tests/fixtures/ts/big_sender.ts
    env: { COUNT: 20, SIZE: 1000000 }
    outputs: [data]
  - id: receiver
    path: ${ROOT}/tests/fixtures/py/no_shm_receiver.py
    env: { COUNT: 20, SIZE: 1000000 }
    inputs:
      data: { source: sender/data, queue_size: 20, queue_policy: backpressure }
`,
    );
    const run = await runDora(["run", `${dir}/dataflow.yml`]);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.match(output, /no_shm_receiver: got 20\/20 bad=0/);
    assert.deepEqual(run.code, 0, output);
    const summary = JSON.parse(
      await Deno.readTextFile(
        `${dir}/out/${
          [...Deno.readDirSync(`${dir}/out`)][0].name
        }/summary.json`,
      ),
    );
    const sender = summary.nodes.find((n: { id: string }) => n.id === "sender");
    // The sender did use shared memory: the daemon made the copies.
    assert.deepEqual(sender.viaShm > 0, true, JSON.stringify(sender));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
