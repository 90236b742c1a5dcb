/**
 * A TypeScript node with default permissions can load no native library but
 * dora's shared-memory library: libc (so files and programs through FFI) and
 * pointer reads are refused, the library refuses names that are not regions,
 * and big messages still arrive through shared memory. Without a C compiler
 * to build the library, nodes use the socket, with one warning.
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";
import { nodeMessages, shmFixture, summaryOf } from "../_support/shm.ts";

const COUNT = 3;
const SIZE = 4_000_000;

const dataflow = `
nodes:
  - id: sender
    path: ${shmFixture("sender.ts")}
    outputs: [data]
    env: { COUNT: ${COUNT}, SIZE: ${SIZE} }
  - id: probe
    path: ${shmFixture("libc_probe.ts")}
    inputs:
      data: { source: sender/data, queue_policy: backpressure }
`;

Deno.test("a default TypeScript node cannot load libc, yet receives big messages zero-copy", async () => {
  await using df = await tempDataflow(dataflow);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const said = nodeMessages(r.stderr.split("\n"), "probe");
  for (const path of ["libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"]) {
    assert.ok(said.includes(`libc_probe: ${path}: NotCapable`), r.stderr);
  }
  assert.ok(!said.some((l) => l.includes("read /etc/hostname")), r.stderr);
  assert.ok(said.includes("libc_probe: pointer read: NotCapable"), r.stderr);
  for (const name of ["/dora-x-1-2/../../etc/hostname", "/etc/hostname"]) {
    // Step 1: the name check, before anything is opened.
    assert.ok(
      said.includes(`libc_probe: library on ${name}: step 1`),
      r.stderr,
    );
  }
  assert.ok(said.includes(`libc_probe: got ${COUNT} bad=0`), r.stderr);
  const nodes = summaryOf(r.stderr).nodes;
  const sender = nodes.find((n) => n.id === "sender")!;
  const probe = nodes.find((n) => n.id === "probe")!;
  assert.equal(sender.viaShm, COUNT, JSON.stringify(sender));
  assert.equal(sender.inlineBytesSent, 0, JSON.stringify(sender));
  assert.equal(probe.viaShmReceived, COUNT, JSON.stringify(probe));
  assert.equal(probe.inlineBytesReceived, 0, JSON.stringify(probe));
});

Deno.test("without a C compiler TypeScript nodes use the socket, with one warning naming what to install", async () => {
  await using df = await tempDataflow(dataflow);
  const cache = await Deno.makeTempDir({ prefix: "dora-cache-test-" });
  try {
    const r = await runDora(["run", df.path, "--log-format", "json"], {
      env: { CC: "/nonexistent/cc", DORA_CACHE_DIR: cache },
    });
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) =>
      l.includes("no C compiler")
    );
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /apt-get install gcc/);
    const said = nodeMessages(r.stderr.split("\n"), "probe");
    assert.ok(said.includes("libc_probe: libc.so.6: NotCapable"), r.stderr);
    assert.ok(said.includes(`libc_probe: got ${COUNT} bad=0`), r.stderr);
    const sender = summaryOf(r.stderr).nodes.find((n) => n.id === "sender")!;
    assert.equal(sender.viaShm, 0, JSON.stringify(sender));
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});
