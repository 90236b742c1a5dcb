/**
 * End-to-end: fault tolerance under `dora up` / `dora start` (coordinator +
 * daemon): the daemon runs the same runtime, so restarts, backoff and the
 * give-up message behave as under `dora run`.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";
import { parseReports } from "../_support/fault.ts";
import { scenario } from "../_support/scenarios.ts";

/** A sender that fails after 2 ticks, restarted twice, then given up. */
const CRASHING_SENDER = scenario("crashing_sender_restarted");

Deno.test("dora start restarts an on-failure node up to max_restarts under a daemon", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const daemon = await sb.daemon();
    const file = sb.write("dataflow.yml", CRASHING_SENDER);
    const r = await sb.dora(["start", file, "--attach"]);
    await daemon.waitFor(/max restarts \(2\) exceeded, giving up/);
    const output = `${r.stdout}\n${r.stderr}\n${daemon.stderr}`;
    assert.match(daemon.stderr, /restarting in 50ms/);
    assert.match(daemon.stderr, /restarting in 100ms/);
    assert.notEqual(r.code, 0, output);
    const reports = parseReports(output);
    if (reports.length > 0) {
      // Node output reached the attached CLI: check what the nodes saw.
      const starts = reports.filter((x) =>
        x.event === "start" && x.node === "sender"
      );
      assert.deepEqual(starts.map((x) => x.restart), [0, 1, 2], output);
      assert.ok(
        reports.some((x) => x.event === "NODE_FAILED" && x.id === "sender"),
        output,
      );
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora list --format json shows a restarted node's fault counters, live and after the end", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const daemon = await sb.daemon();
    const file = sb.write(
      "dataflow.yml",
      `${CRASHING_SENDER}      tick: dora/timer/millis/50
`,
    );
    const start = await sb.dora([
      "start",
      file,
      "--name",
      "crashy",
      "--detach",
    ]);
    assert.equal(start.code, 0, start.stderr);
    await daemon.waitFor(/max restarts \(2\) exceeded, giving up/);

    const list = async () => {
      const r = await sb.dora(["list", "--format", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      return rows.find((d) => d.name === "crashy");
    };
    // Live: the observer keeps the dataflow running.
    const live = await list();
    assert.equal(live.status, "running");
    assert.equal(live.fault.nodes.sender.restarts, 2, JSON.stringify(live));
    assert.equal(live.fault.nodes.sender.status, "failed");
    assert.equal(live.fault.totals.restarts, 2);
    assert.equal(live.fault.nodes.observer.restarts, 0);

    const status = await sb.dora(["status"]);
    assert.match(status.stdout, /1 running \(2 restarts\)/);

    const stop = await sb.dora(["stop", "crashy"]);
    assert.equal(stop.code, 1, stop.stdout + stop.stderr); // sender failed
    assert.match(
      stop.stdout,
      /fault tolerance:\n {2}sender: 2 restarts, failed/,
    );
    // Final: stored with the record.
    const done = await list();
    assert.equal(done.status, "failed");
    assert.equal(done.fault.nodes.sender.restarts, 2, JSON.stringify(done));
    await daemon.waitFor(/sender: 2 restarts, failed/);
  } finally {
    await sb.cleanup();
  }
});
