/**
 * Region clean-up around live runs: a stopped run (Ctrl-C while sending)
 * leaves nothing in /dev/shm, and a `dora run` starting while another one
 * sends leaves the other's regions alone.
 */
import assert from "node:assert/strict";
import {
  DoraProcess,
  fixture,
  runDora,
  tempDataflow,
} from "../_support/dora.ts";
import {
  dataflowId,
  nodeMessages,
  regionsOf,
  removeRegionsOf,
  SENDING_DATAFLOW,
  stop,
  untilSending,
} from "../_support/shm.ts";

/** Starts SENDING_DATAFLOW and waits until both senders' messages flow. */
async function startSending(): Promise<
  { dora: DoraProcess; id: string; dispose: () => Promise<void> }
> {
  const df = await tempDataflow(SENDING_DATAFLOW);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  const id = await dataflowId(dora);
  const dispose = async () => {
    stop(dora);
    await dora.result();
    removeRegionsOf(id);
    await df[Symbol.asyncDispose]();
  };
  try {
    await untilSending(dora);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { dora, id, dispose };
}

Deno.test("Ctrl-C while senders send leaves no region behind", async () => {
  const run = await startSending();
  try {
    assert.ok(regionsOf(run.id).length > 0);
    run.dora.kill("SIGINT");
    const r = await run.dora.result();
    assert.equal(r.code, 0, r.stderr);
    const counter = nodeMessages(run.dora.lines, "counter");
    assert.ok(counter.some((m) => /from_ts got \d+ bad=0$/.test(m)), r.stderr);
    assert.ok(counter.some((m) => /from_py got \d+ bad=0$/.test(m)), r.stderr);
    assert.deepEqual(regionsOf(run.id), []);
  } finally {
    await run.dispose();
  }
});

Deno.test("a dora run starting while another one sends leaves its regions alone", async () => {
  const run = await startSending();
  try {
    const before = regionsOf(run.id);
    assert.ok(before.length > 0);
    await using other = await tempDataflow(`
nodes:
  - id: logger
    path: ${fixture("py/logger.py")}
`);
    const r = await runDora(["run", other.path]);
    assert.equal(r.code, 0, r.stderr);
    // Regions are only ever added while a run lives; none was removed.
    const after = regionsOf(run.id);
    assert.deepEqual(before.filter((n) => !after.includes(n)), []);
    run.dora.kill("SIGINT");
    const result = await run.dora.result();
    assert.equal(result.code, 0, result.stderr);
    const counter = nodeMessages(run.dora.lines, "counter");
    assert.ok(
      counter.some((m) => /from_ts got \d+ bad=0$/.test(m)),
      result.stderr,
    );
    assert.ok(
      counter.some((m) => /from_py got \d+ bad=0$/.test(m)),
      result.stderr,
    );
    assert.deepEqual(regionsOf(run.id), []);
  } finally {
    await run.dispose();
  }
});
