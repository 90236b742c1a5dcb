/**
 * Two daemons (machine ids A and B) and a dataflow crossing them: every
 * message arrives, in order, through daemon-to-daemon TCP.
 */
import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";
import { Sandbox } from "./cluster_helpers.ts";

Deno.test("dora start runs examples/multiple-daemons across daemons A and B", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora([
      "start",
      `${ROOT}/examples/multiple-daemons/dataflow.yml`,
      "--attach",
      "--env",
      "COUNT=100",
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /SUCCESS: received 100 doubled numbers in order across daemons/,
    );
    assert.match(r.stderr, /finished/);
    const list = await sb.dora(["list", "--format", "json"]);
    const rows = list.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "finished");
    assert.deepEqual(rows[0].daemons.sort(), ["A", "B"]);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora start names the machine that is not connected", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    const r = await sb.dora([
      "start",
      `${ROOT}/examples/multiple-daemons/dataflow.yml`,
      "--detach",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /machine 'B'/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  } finally {
    await sb.cleanup();
  }
});
