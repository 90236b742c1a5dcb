/**
 * A sender that crashes and is restarted keeps sending through shared memory,
 * and its receivers never read a region of the crashed process in place of a
 * new one. Receivers cache mappings by region name, so a restarted process
 * must not reuse a name of its predecessor even once the predecessor's
 * regions were unlinked (as a crash clean-up does): the test unlinks them
 * itself before the new process starts sending.
 */
import assert from "node:assert/strict";
import { DoraProcess, tempDataflow } from "../_support/dora.ts";
import {
  dataflowId,
  nodeMessages,
  regionsOf,
  removeRegionsOf,
  shmFixture,
  stop,
  summaryOf,
  waitForNode,
} from "../_support/shm.ts";

async function restartWhileReceiving(sender: "sender.ts" | "sender.py") {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${shmFixture(sender)}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [data]
    restart_policy: on-failure
    max_restarts: 1
    env: { CRASH_AFTER: 12, COUNT: 12, WAIT_ON_RESTART: 1 }
  - id: counter
    path: ${shmFixture("counter.ts")}
    inputs:
      from_sender: { source: sender/data, queue_policy: backpressure }
`);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  let id = "";
  try {
    id = await dataflowId(dora);
    await waitForNode(dora, "sender", /shm_sender: crashing after 12/);
    const [, pid] = await waitForNode(
      dora,
      "sender",
      /shm_sender: pid (\d+) waiting for SIGUSR1 \(restart 1\)/,
    );
    // The restarted process has not created any region yet: these are all
    // the crashed one's, and the counter has mapped them. The daemon unlinks
    // them once released (maybe already); the rest goes now.
    const old = regionsOf(id);
    removeRegionsOf(id);
    Deno.kill(Number(pid), "SIGUSR1");

    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      nodeMessages(dora.lines, "counter").includes(
        "shm_counter: from_sender got 24 bad=0",
      ),
      `${r.stderr}\nregions of the crashed sender: ${old.join(", ")}`,
    );
    const summary = summaryOf(r.stderr);
    const s = summary.nodes.find((n) => n.id === "sender")!;
    assert.equal(s.restarts, 1, JSON.stringify(s));
    assert.ok(s.viaShm > 12, JSON.stringify(s));
    assert.deepEqual(regionsOf(id), []);
  } finally {
    stop(dora);
    await dora.result();
    if (id) removeRegionsOf(id);
  }
}

for (
  const [lang, file] of [
    ["TypeScript", "sender.ts"],
    ["Python", "sender.py"],
  ] as const
) {
  Deno.test(`a restarted ${lang} sender never reuses a region name its receivers mapped before`, () =>
    restartWhileReceiving(file));
}
