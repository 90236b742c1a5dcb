/**
 * The regions of a node process that exited are unlinked once its receivers
 * released them, not only when the dataflow ends: a crash-looping sender of
 * big messages keeps only the live process's regions in /dev/shm.
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

const CRASHES = 3;

Deno.test("the regions of a crashed process are unlinked once released, while the dataflow runs", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${shmFixture("sender.ts")}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [data]
    restart_policy: on-failure
    max_restarts: ${CRASHES}
    env: { CRASH_AFTER: 4, CRASH_TIMES: ${CRASHES}, COUNT: 4, WAIT_ON_RESTART: 1 }
  - id: counter
    path: ${shmFixture("counter.ts")}
    inputs:
      from_sender: { source: sender/data, queue_policy: backpressure }
`);
  const dora = new DoraProcess([
    "run",
    df.path,
    "--log-format",
    "json",
    // The runtime's debug messages say what it unlinked; the nodes' stdout
    // says when a restarted sender waits.
    "--log-level",
    "debug",
    "--log-filter",
    "sender=stdout,counter=stdout",
  ]);
  let id = "";
  try {
    id = await dataflowId(dora);
    for (let restart = 1; restart <= CRASHES; restart++) {
      // The restarted process waits before creating any region: whatever is
      // in /dev/shm now belongs to the crashed one.
      const [, pid] = await waitForNode(
        dora,
        "sender",
        new RegExp(
          `shm_sender: pid (\\d+) waiting for SIGUSR1 \\(restart ${restart}\\)`,
        ),
      );
      const old = regionsOf(id);
      for (const name of old) {
        await dora.waitForLine(
          new RegExp(`"node":"dora".*"msg":"unlinked [^"]*/${name}\\b`),
        );
      }
      assert.deepEqual(regionsOf(id), [], `after crash ${restart}`);
      Deno.kill(Number(pid), "SIGUSR1");
    }
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      nodeMessages(dora.lines, "counter").includes(
        `shm_counter: from_sender got ${4 * (CRASHES + 1)} bad=0`,
      ),
      r.stderr,
    );
    const s = summaryOf(r.stderr).nodes.find((n) => n.id === "sender")!;
    assert.equal(s.restarts, CRASHES, JSON.stringify(s));
    assert.equal(s.viaShm, 4 * (CRASHES + 1), JSON.stringify(s));
    assert.deepEqual(regionsOf(id), []);
  } finally {
    stop(dora);
    await dora.result();
    if (id) removeRegionsOf(id);
  }
});
