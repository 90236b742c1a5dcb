/**
 * End-to-end: fault tolerance under `dora up` / `dora start` (coordinator +
 * daemon): the daemon runs the same runtime, so restarts, backoff and the
 * give-up message behave as under `dora run`.
 */
import assert from "node:assert/strict";
import { Sandbox } from "./cluster_helpers.ts";
import { FIXTURES, parseReports } from "./fault_helpers.ts";

Deno.test("dora start restarts an on-failure node up to max_restarts under a daemon", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const daemon = await sb.daemon();
    const file = sb.write(
      "dataflow.yml",
      `
nodes:
  - id: sender
    path: ${FIXTURES}/sender.ts
    args: --ticks 2 --exit-code 1
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
    restart_policy: on-failure
    max_restarts: 2
    restart_delay: 0.05
  - id: observer
    path: ${FIXTURES}/observer.ts
    inputs:
      data: sender/data
`,
    );
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
