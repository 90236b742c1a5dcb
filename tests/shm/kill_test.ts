/**
 * `kill -9` never leaves shared memory behind: a sender killed mid-send has
 * its regions unlinked when `dora run` ends, and the regions of a `dora run`
 * killed mid-send are removed by the next `dora run`.
 */
import assert from "node:assert/strict";
import { runtimeBase } from "../../src/runtime/mod.ts";
import {
  childPids,
  DoraProcess,
  fixture,
  jsonSummary,
  runDora,
  tempDataflow,
  waitGone,
} from "../_support/dora.ts";
import {
  dataflowId,
  nodeMessages,
  nodePid,
  regionsOf,
  removeRegionsOf,
  SENDING_DATAFLOW,
  shmFixture,
  stop,
  untilSending,
  waitForNode,
} from "../_support/shm.ts";

/** Waits until both senders' messages flow and their regions exist. */
async function sending(dora: DoraProcess, id: string): Promise<void> {
  await untilSending(dora);
  const live = regionsOf(id);
  assert.ok(live.some((n) => n.includes("-ts_sender-")), live.join(", "));
  assert.ok(live.some((n) => n.includes("-py_sender-")), live.join(", "));
}

Deno.test("senders killed with SIGKILL mid-send leave no region once dora run ends", async () => {
  await using df = await tempDataflow(SENDING_DATAFLOW);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  let id = "";
  try {
    id = await dataflowId(dora);
    const ts = await nodePid(dora, "ts_sender");
    const py = await nodePid(dora, "py_sender");
    await sending(dora, id);
    Deno.kill(ts, "SIGKILL");
    Deno.kill(py, "SIGKILL");

    // The receiver sees both inputs close, stops, and the run ends.
    const r = await dora.result();
    assert.equal(r.code, 1, r.stderr);
    const summary = jsonSummary(r.stderr);
    for (const node of ["ts_sender", "py_sender"]) {
      const n = summary.nodes.find((x) => x.id === node)!;
      assert.equal(n.outcome, "failed", JSON.stringify(n));
      assert.equal(n.signal, "SIGKILL", JSON.stringify(n));
    }
    const counter = nodeMessages(dora.lines, "counter");
    assert.ok(counter.some((m) => /from_ts got \d+ bad=0$/.test(m)), r.stderr);
    assert.ok(counter.some((m) => /from_py got \d+ bad=0$/.test(m)), r.stderr);
    assert.equal(
      summary.nodes.find((x) => x.id === "counter")!.outcome,
      "finished",
    );
    assert.deepEqual(regionsOf(id), []);
  } finally {
    stop(dora);
    await dora.result();
    if (id) removeRegionsOf(id);
  }
});

Deno.test("the regions of a dora run killed with SIGKILL mid-send are removed by the next dora run", async () => {
  await using df = await tempDataflow(SENDING_DATAFLOW);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  let id = "";
  try {
    id = await dataflowId(dora);
    const nodes = [
      await nodePid(dora, "ts_sender"),
      await nodePid(dora, "py_sender"),
      await nodePid(dora, "counter"),
    ];
    await sending(dora, id);
    // Every node runs as a direct child (behind setpriv) of dora run.
    const children = childPids(dora.child.pid);
    // Checked before the kill: once dora run is dead, any dora run starting
    // in parallel (other tests) may already clean the leftovers up.
    const left = regionsOf(id);
    assert.ok(left.length > 0, "the run has regions while it sends");
    dora.kill("SIGKILL");
    await dora.result();
    await waitGone([...nodes, ...children]);

    await using next = await tempDataflow(`
nodes:
  - id: logger
    path: ${fixture("py/logger.py")}
`);
    const r = await runDora(["run", next.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(regionsOf(id), [], `left after the next run: ${left}`);
    await assert.rejects(
      Deno.stat(`${runtimeBase()}/${id}`),
      Deno.errors.NotFound,
    );
  } finally {
    stop(dora);
    await dora.result();
    if (id) {
      removeRegionsOf(id);
      await Deno.remove(`${runtimeBase()}/${id}`, { recursive: true })
        .catch(() => {});
    }
  }
});

Deno.test("receivers killed while holding regions give them back to the sender's pool", async () => {
  // holder_ts and holder_py keep every message; fast keeps the last 2 and
  // acknowledges each one. After 6 messages (6 regions, all held) both
  // holders are killed. The remaining 30 messages need 3 regions at a time:
  // without the 6 back, the pool (8 regions per size) could not provide
  // them and some messages would go through the socket.
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${shmFixture("sender.ts")}
    inputs: { ack: fast/ack }
    outputs: [data]
    env: { COUNT: 36, PAUSE_AT: 6 }
  - id: holder_ts
    path: ${shmFixture("holder.ts")}
    inputs: { data: sender/data }
    env: { WINDOW: 1000, REPORT_EACH: 1 }
  - id: holder_py
    path: ${shmFixture("holder.py")}
    inputs: { data: sender/data }
    env: { WINDOW: 1000, REPORT_EACH: 1 }
  - id: fast
    path: ${shmFixture("holder.ts")}
    inputs: { data: sender/data }
    outputs: [ack]
    env: { WINDOW: 2 }
`);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  let id = "";
  try {
    id = await dataflowId(dora);
    const holders = [
      await nodePid(dora, "holder_ts"),
      await nodePid(dora, "holder_py"),
    ];
    const [, sender] = await waitForNode(
      dora,
      "sender",
      /shm_sender: pid (\d+) waiting for SIGUSR1 \(sent 6\)/,
    );
    await waitForNode(dora, "holder_ts", /shm_holder: received 5/);
    await waitForNode(dora, "holder_py", /shm_holder: received 5/);
    assert.equal(regionsOf(id).length, 6, regionsOf(id).join(", "));
    for (const pid of holders) Deno.kill(pid, "SIGKILL");
    // dora run sends the sender `release` for what they held before it
    // reports them failed.
    await dora.waitForLine(/"msg":"node \\"holder_ts\\" failed/);
    await dora.waitForLine(/"msg":"node \\"holder_py\\" failed/);
    Deno.kill(Number(sender), "SIGUSR1");

    const r = await dora.result();
    assert.equal(r.code, 1, `exit code ${r.code}:\n${r.stderr}`); // the holders failed
    assert.ok(
      nodeMessages(dora.lines, "fast").some((m) =>
        m.startsWith("shm_holder: got 36 bad=0 ")
      ),
      `fast did not get 36 intact messages:\n${r.stderr}`,
    );
    const [, regions] = /regions=(\d+)/.exec(
      nodeMessages(dora.lines, "sender").find((m) =>
        m.startsWith("shm_sender: sent 36")
      ) ?? "",
    )?.map(Number) ?? [];
    assert.ok(regions! <= 8, `regions used: ${regions}\n${r.stderr}`);
    const s = jsonSummary(r.stderr).nodes.find((n) => n.id === "sender")!;
    assert.equal(s.viaShm, 36, JSON.stringify(s));
    assert.deepEqual(regionsOf(id), []);
  } finally {
    stop(dora);
    await dora.result();
    if (id) removeRegionsOf(id);
  }
});
