/**
 * Coordinator restarts and lost daemons: nodes keep running while the
 * coordinator is down, the daemon reconnects and re-adopts its dataflows,
 * the SQLite store keeps the history, and a silent daemon is reported lost.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "./cluster_helpers.ts";

const DATAFLOW = (machine?: string) =>
  `nodes:
  - id: ticker
    path: ticker.ts
${
    machine
      ? `    _unstable_deploy:\n      machine: ${machine}\n`
      : ""
  }    inputs:
      tick: dora/timer/millis/20
`;

interface Row {
  uuid: string;
  name?: string;
  status: string;
  error?: string;
}

async function list(sb: Sandbox): Promise<Row[]> {
  const r = await sb.dora(["list", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

function logSize(sb: Sandbox, uuid: string): number {
  try {
    return Deno.statSync(`${sb.dir}/out/${uuid}/log_ticker.jsonl`).size;
  } catch {
    return 0;
  }
}

Deno.test("a coordinator restart keeps nodes running and dora list recovers", async () => {
  const sb = await Sandbox.create();
  sb.write("ticker.ts", TICKER_TS);
  const yml = sb.write("dataflow.yml", DATAFLOW());
  const ymlB = sb.write("dataflow_b.yml", DATAFLOW("B"));
  const store = ["--store", `sqlite:${sb.dir}/state/store.sqlite`];
  try {
    let coordinator = await sb.coordinator(store);
    const daemon = await sb.daemon();
    const daemonB = await sb.daemon(["--machine-id", "B"]);

    const done = (await sb.dora(["start", yml, "--name", "first", "--detach"]))
      .stdout.trim();
    assert.equal((await sb.dora(["stop", "first"])).code, 0);
    const running =
      (await sb.dora(["start", yml, "--name", "second", "--detach"])).stdout
        .trim();
    const orphan =
      (await sb.dora(["start", ymlB, "--name", "third", "--detach"])).stdout
        .trim();
    const before = (await sb.dora(["status", "--format", "json"])).stdout;
    const addrBefore =
      JSON.parse(before).daemons.find((d: { daemonId: string }) =>
        d.daemonId === "default"
      ).dataAddr;

    // Kill the coordinator hard; while it is gone, daemon B goes away too.
    await coordinator.stop("SIGKILL");
    await daemonB.stop("SIGTERM");
    const size = logSize(sb, running);
    const down = await sb.dora(["list"]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /could not connect/);
    assert.notDeepEqual(processesWithEnv(running), [], "nodes keep running");

    const registered = daemon.stderr.split("registered with").length;
    coordinator = await sb.coordinator(store);
    await daemon.waitFor(new RegExp(`(registered with[^]*){${registered}}`));
    assert.ok(logSize(sb, running) > size, "the node kept logging meanwhile");

    const rows = new Map((await list(sb)).map((r) => [r.uuid, r]));
    assert.equal(rows.get(done)?.status, "finished");
    assert.equal(rows.get(running)?.status, "running");
    assert.equal(rows.get(orphan)?.status, "failed");
    assert.match(rows.get(orphan)?.error ?? "", /coordinator restarted/);

    const after = JSON.parse(
      (await sb.dora(["status", "--format", "json"])).stdout,
    );
    const d = after.daemons.find((d: { daemonId: string }) =>
      d.daemonId === "default"
    );
    assert.equal(d.state, "connected");
    assert.deepEqual(
      d.dataAddr,
      addrBefore,
      "the data listener was not bound again",
    );

    const stop = await sb.dora(["stop", "second"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(processesWithEnv(running), []);
    assert.equal(
      (await list(sb)).find((r) => r.uuid === running)?.status,
      "finished",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a daemon without heartbeats is reported lost, then reconnects", async () => {
  const sb = await Sandbox.create();
  const fast = { DORA_HEARTBEAT_MS: "100", DORA_DAEMON_TIMEOUT_MS: "600" };
  try {
    const coordinator = await sb.coordinator([], fast);
    const daemon = await sb.daemon(["--machine-id", "A"]);
    Deno.kill(daemon.child.pid, "SIGSTOP");
    try {
      await coordinator.waitFor(/daemon 'A' lost: no heartbeat/);
      const s = await sb.dora(["status"]);
      assert.match(s.stdout, /A\s+lost \(no heartbeat for \d+s\)/);
    } finally {
      Deno.kill(daemon.child.pid, "SIGCONT");
    }
    await daemon.waitFor(/(registered with[^]*){2}/);
    const s = await sb.dora(["status"]);
    assert.match(s.stdout, /A\s+connected/);
  } finally {
    await sb.cleanup();
  }
});
