/**
 * Payloads too big for a socket frame (64 MiB) always travel through shared
 * memory, from TypeScript and Python senders to TypeScript and Python
 * receivers, and arrive bit-exact.
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";
import {
  nodeMessages,
  regionsOf,
  shmFixture,
  summaryOf,
} from "../_support/shm.ts";

const SIZE = 80_000_000;

Deno.test("80 MB messages go through shared memory between TypeScript and Python, bit-exact", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: ts_sender
    path: ${shmFixture("sender.ts")}
    outputs: [data]
    env: { COUNT: 2, SIZE: ${SIZE} }
  - id: py_sender
    path: ${shmFixture("sender.py")}
    outputs: [data]
    env: { COUNT: 2, SIZE: ${SIZE} }
  - id: ts_rx
    path: ${shmFixture("counter.ts")}
    inputs:
      from_ts: { source: ts_sender/data, queue_policy: backpressure }
      from_py: { source: py_sender/data, queue_policy: backpressure }
  - id: py_rx_of_ts
    path: ${shmFixture("holder.py")}
    inputs: { data: { source: ts_sender/data, queue_policy: backpressure } }
  - id: py_rx_of_py
    path: ${shmFixture("holder.py")}
    inputs: { data: { source: py_sender/data, queue_policy: backpressure } }
`);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n");
  const ts = nodeMessages(lines, "ts_rx");
  assert.ok(ts.includes("shm_counter: from_ts got 2 bad=0"), r.stderr);
  assert.ok(ts.includes("shm_counter: from_py got 2 bad=0"), r.stderr);
  for (const node of ["py_rx_of_ts", "py_rx_of_py"]) {
    assert.ok(
      nodeMessages(lines, node).some((m) =>
        m.startsWith("shm_holder: got 2 bad=0 ")
      ),
      `${node}: ${r.stderr}`,
    );
  }
  const summary = summaryOf(r.stderr);
  for (const node of ["ts_sender", "py_sender"]) {
    const s = summary.nodes.find((n) => n.id === node)!;
    assert.equal(s.viaShm, 2, JSON.stringify(s));
  }
  assert.deepEqual(regionsOf(summary.dataflowId), []);
});
