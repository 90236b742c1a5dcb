/**
 * Partial failures across daemons: a spawn that fails on one daemon is
 * rolled back on the others (nothing left running), and `dora stop` of a
 * dataflow one of whose daemons is gone stops the rest at once.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";

const ACROSS = (bPath: string, bArgs = "") => `
nodes:
  - id: on_a
    _unstable_deploy:
      machine: A
    path: ticker.ts
    inputs:
      tick: dora/timer/millis/50
  - id: on_b
    _unstable_deploy:
      machine: B
    path: ${bPath}
    args: "${bArgs}"
    inputs:
      tick: dora/timer/millis/50
`;

interface Row {
  uuid: string;
  status: string;
  error?: string;
}

async function rows(sb: Sandbox): Promise<Row[]> {
  const r = await sb.dora(["list", "--format", "json"]);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("dora start rolls back the daemons where the spawn worked when another refuses it", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A", "--allow-shell-nodes"]);
    // B does not allow shell nodes: its part of the spawn fails.
    await sb.daemon(["--machine-id", "B"]);
    sb.write("ticker.ts", TICKER_TS);
    const file = sb.write(
      "dataflow.yml",
      ACROSS("/bin/sh", "-c 'sleep 600'"),
    );
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 1, start.stdout + start.stderr);
    assert.match(start.stderr, /daemon "B".*node "on_b".*shell node/);
    const [row] = await rows(sb);
    assert.equal(row?.status, "failed", JSON.stringify(row));
    // A had started its node: it is stopped again, nothing is left.
    await waitUntil(
      () => processesWithEnv(row!.uuid).length === 0,
      "the node on A to be stopped",
      { detail: () => processesWithEnv(row!.uuid).join(", ") },
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora stop stops the surviving daemons' nodes at once when a daemon is gone", async () => {
  const sb = await Sandbox.create();
  try {
    // A long reconnect window: the stop must not wait for it.
    await sb.coordinator([], { DORA_DAEMON_TIMEOUT_MS: "120000" });
    await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    sb.write("ticker.ts", TICKER_TS);
    const file = sb.write("dataflow.yml", ACROSS("ticker.ts"));
    const start = await sb.dora(["start", file, "--detach", "--name", "x"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    await waitUntil(
      () =>
        readOrEmpty(`${sb.dir}/out/${uuid}/log_on_a.jsonl`).includes("tick"),
      "the node on A to run",
    );
    b.child.kill("SIGKILL");
    await b.done;
    const stop = await sb.dora(["stop", "x", "--grace-duration", "1s"]);
    assert.equal(stop.code, 1, stop.stdout + stop.stderr);
    assert.match(stop.stdout + stop.stderr, /daemon "B"/);
    assert.match(
      readOrEmpty(`${sb.dir}/out/${uuid}/log_on_a.jsonl`),
      /ticker stopped/,
    );
    const [row] = await rows(sb);
    assert.equal(row?.status, "failed");
  } finally {
    await sb.cleanup();
  }
});
