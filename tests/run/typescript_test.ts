/**
 * `dora run` with TypeScript nodes: the example, the Deno sandbox, and large
 * payloads through shared memory (forwarded, released, unlinked at the end).
 */
import assert from "node:assert/strict";
import {
  fixture,
  jsonSummary,
  runDora,
  tempDataflow,
} from "../_support/dora.ts";
import { ROOT } from "../_support/dora.ts";

const ts = (f: string) => fixture(`ts/${f}`);

Deno.test("examples/typescript-dataflow prints SUCCESS", async () => {
  const r = await runDora([
    "run",
    `${ROOT}/examples/typescript-dataflow/dataflow.yml`,
  ]);
  await Deno.remove(`${ROOT}/examples/typescript-dataflow/out`, {
    recursive: true,
  }).catch(() => {});
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /receiver: SUCCESS: received 50 squares in order/);
});

Deno.test("a sandbox violation names the node and the permission", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sneaky
    path: ${ts("net_violation.ts")}
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /node "sneaky" failed: exited with code 1: Deno denied net access to "127\.0\.0\.1:9"/,
  );
});

Deno.test("least privilege by default, widened and narrowed by permissions:", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: default
    path: ${ts("report.ts")}
  - id: widened
    path: ${ts("report.ts")}
    permissions: { read: [/etc/hostname], net: true, ffi: false }
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  // Shared memory, yet no unscoped FFI: only dora's library may be loaded.
  assert.match(
    r.stderr,
    /default: report: shm=true ffi=prompt read=prompt net=prompt write=prompt/,
  );
  assert.match(
    r.stderr,
    /widened: report: shm=false ffi=prompt read=granted net=granted write=prompt/,
  );
});

Deno.test("large payloads arrive intact through shared memory and regions are unlinked", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${ts("big_sender.ts")}
    outputs: [data]
  - id: receiver
    path: ${ts("big_receiver.ts")}
    inputs:
      data: { source: sender/data, queue_size: 100 }
`);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /big_receiver: got 50\/50 bad=0/);
  const sender = jsonSummary(r.stderr).nodes.find((n) => n.id === "sender")!;
  assert.ok(sender.viaShm! > 0, JSON.stringify(sender));
  const id = /"dataflow_id":"([0-9a-f-]+)"/.exec(r.stderr)![1]!.replace(
    /-/g,
    "",
  );
  const left = [...Deno.readDirSync("/dev/shm")].filter((e) =>
    e.name.includes(id)
  );
  assert.deepEqual(left, []);
});

Deno.test("a sender that exits right after a burst loses nothing on a backpressure input", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${ts("big_sender.ts")}
    outputs: [data]
    env: { COUNT: 20000, SIZE: 8 }
  - id: receiver
    path: ${ts("big_receiver.ts")}
    env: { COUNT: 20000, SIZE: 8 }
    inputs:
      data: { source: sender/data, queue_size: 10, queue_policy: backpressure }
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /big_receiver: got 20000\/20000 bad=0/);
});
