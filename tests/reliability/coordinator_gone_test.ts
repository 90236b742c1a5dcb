/**
 * A coordinator that never comes back: after `--coordinator-timeout` the
 * daemon stops its dataflows (nothing left running) and exits, instead of
 * retrying forever with nodes nobody can stop.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "../_support/cluster.ts";
import { waitUntil } from "../_support/wait.ts";

Deno.test("dora daemon stops its dataflows and exits when the coordinator stays gone", async () => {
  const sb = await Sandbox.create();
  let uuid = "";
  try {
    const coordinator = await sb.coordinator();
    const daemon = await sb.daemon(["--coordinator-timeout", "2s"]);
    sb.write("ticker.ts", TICKER_TS);
    const file = sb.write(
      "dataflow.yml",
      "nodes:\n  - id: ticker\n    path: ticker.ts\n    inputs:\n      tick: dora/timer/millis/50\n",
    );
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    uuid = start.stdout.trim();
    await waitUntil(() => processesWithEnv(uuid).length > 0, "the node");

    await coordinator.stop("SIGKILL");
    const status = await daemon.done;
    assert.equal(status.code, 1, daemon.stderr);
    assert.match(
      daemon.stderr,
      /no coordinator for 2s \(--coordinator-timeout\): stopped 1 dataflow/,
    );
    assert.deepEqual(processesWithEnv(uuid), [], "nodes left running");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora daemon keeps its dataflows while the coordinator comes back in time", async () => {
  const sb = await Sandbox.create();
  try {
    let coordinator = await sb.coordinator();
    const daemon = await sb.daemon(["--coordinator-timeout", "60s"]);
    sb.write("ticker.ts", TICKER_TS);
    const file = sb.write(
      "dataflow.yml",
      "nodes:\n  - id: ticker\n    path: ticker.ts\n    inputs:\n      tick: dora/timer/millis/50\n",
    );
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    await coordinator.stop("SIGKILL");
    coordinator = await sb.coordinator();
    await daemon.waitFor(/(registered with[^]*){2}/);
    assert.ok(processesWithEnv(uuid).length > 0, "the node kept running");
    const list = await sb.dora(["list", "--format", "json"]);
    assert.match(list.stdout, /"status":"running"/);
  } finally {
    await sb.cleanup();
  }
});
