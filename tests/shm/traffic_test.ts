/**
 * The daemon never copies a large payload between two nodes on one machine:
 * the summary's per-node traffic counters show it went by shared-memory
 * reference and no payload byte crossed a socket inline.
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";
import { nodeMessages, summaryOf } from "../_support/shm.ts";
import { scenario } from "../_support/scenarios.ts";

/** What `tests/dataflows/big_messages_counted.yml` sends. */
const SIZE = 4_000_000;
const COUNT = 3;

Deno.test("a big message between two TypeScript nodes adds no inline payload bytes", async () => {
  await using df = await tempDataflow(scenario("big_messages_counted"));
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    nodeMessages(r.stderr.split("\n"), "counter").includes(
      `shm_counter: from_sender got ${COUNT} bad=0`,
    ),
    r.stderr,
  );
  const nodes = summaryOf(r.stderr).nodes;
  const sender = nodes.find((n) => n.id === "sender")!;
  const counter = nodes.find((n) => n.id === "counter")!;
  assert.equal(sender.viaShm, COUNT, JSON.stringify(sender));
  assert.equal(sender.shmBytesSent, COUNT * SIZE, JSON.stringify(sender));
  assert.equal(sender.inlineBytesSent, 0, JSON.stringify(sender));
  assert.equal(counter.viaShmReceived, COUNT, JSON.stringify(counter));
  assert.equal(counter.inlineBytesReceived, 0, JSON.stringify(counter));
});

Deno.test("dora run --log-level debug prints the traffic of each node in the summary", async () => {
  await using df = await tempDataflow(scenario("big_messages_counted"));
  const r = await runDora(["run", df.path, "--log-level", "debug"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /shared memory: 3 sent \(12\.0 MB\), 0 received/);
  assert.match(r.stderr, /shared memory: 0 sent \(0 B\), 3 received/);
  assert.doesNotMatch(r.stderr, /inline: /);
});
