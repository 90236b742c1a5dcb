/**
 * The everyday cluster workflow: up → start → list → logs → stop → down,
 * leaving no process behind.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "../_support/cluster.ts";

const DATAFLOW = `nodes:
  - id: ticker
    path: ticker.ts
    inputs:
      tick: dora/timer/millis/20
`;

/** Kills what `dora up` recorded in the sandbox, and `extra`, if still alive. */
function killLeftovers(sb: Sandbox, extra: number[]): void {
  const pids = [...extra];
  try {
    const state = JSON.parse(
      Deno.readTextFileSync(`${sb.dir}/state/up-${sb.port}.json`),
    );
    pids.push(state.coordinatorPid, state.daemonPid);
  } catch {
    // nothing recorded (or already removed by `dora down`)
  }
  for (const pid of pids.filter((p) => p && alive(p))) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("dora up, start, list, logs, stop and down leave no process behind", async () => {
  const sb = await Sandbox.create();
  sb.write("ticker.ts", TICKER_TS);
  const yml = sb.write("dataflow.yml", DATAFLOW);
  let pids: number[] = [];
  try {
    const up = await sb.dora(["up"]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /dora is up/);
    const state = JSON.parse(
      Deno.readTextFileSync(`${sb.dir}/state/up-${sb.port}.json`),
    );
    pids = [state.coordinatorPid, state.daemonPid];
    assert.ok(pids.every(alive));

    const again = await sb.dora(["up"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already up/);

    const start = await sb.dora(["start", yml, "--name", "ticks", "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    assert.match(uuid, /^[0-9a-f-]{36}$/);

    const list = await sb.dora(["list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /UUID\s+NAME\s+STATUS\s+NODES\s+CPU\s+MEMORY/);
    assert.match(list.stdout, new RegExp(`${uuid}\\s+ticks\\s+running\\s+1`));

    // Follow until a few ticks were logged (the stream is pushed by the daemon).
    const follow = sb.spawn(["logs", "ticks", "ticker", "--follow"]);
    await follow.waitFor(/tick 3\n/);
    assert.match(follow.stdout, /ticker: tick 1\n/);
    const tail = await sb.dora(["logs", "ticks", "ticker", "--tail", "1"]);
    assert.equal(tail.stdout.trim().split("\n").length, 1);

    const stop = await sb.dora(["stop", "ticks", "--grace-duration", "5s"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /finished/);
    assert.equal(
      (await follow.done).code,
      0,
      "--follow ends with the dataflow",
    );
    assert.match(follow.stdout, /ticker stopped/);
    const after = await sb.dora(["list", "--format", "json"]);
    assert.equal(JSON.parse(after.stdout.trim()).status, "finished");
    const stopped = await sb.dora([
      "logs",
      "ticks",
      "ticker",
      "--grep",
      "stopped",
    ]);
    assert.match(stopped.stdout, /ticker stopped/);

    const start2 = await sb.dora(["start", yml, "--detach"]);
    const uuid2 = start2.stdout.trim();
    const down = await sb.dora(["down"]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /dora is down/);
    assert.ok(!pids.some(alive), "coordinator and daemon exited");
    assert.deepEqual(processesWithEnv(uuid2), [], "no node left");
    const status = await sb.dora(["status"]);
    assert.equal(status.code, 1);
    assert.match(
      status.stderr,
      /could not connect to the dora coordinator at 127\.0\.0\.1:\d+.*dora up/,
    );
    assert.equal(status.stderr.trim().split("\n").length, 1);
  } finally {
    // Also when an assertion failed early: a second coordinator started by
    // `dora up` is only known from the state file.
    killLeftovers(sb, pids);
    await sb.cleanup();
  }
});

Deno.test("dora up after its coordinator died reuses the surviving daemon", async () => {
  const sb = await Sandbox.create();
  let pids: number[] = [];
  try {
    assert.equal((await sb.dora(["up"])).code, 0);
    const state = JSON.parse(
      Deno.readTextFileSync(`${sb.dir}/state/up-${sb.port}.json`),
    );
    pids = [state.coordinatorPid, state.daemonPid];
    Deno.kill(state.coordinatorPid, "SIGKILL");
    const again = await sb.dora(["up"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      new RegExp(`daemon \\(pid ${state.daemonPid}\\) reconnected`),
    );
    const after = JSON.parse(
      Deno.readTextFileSync(`${sb.dir}/state/up-${sb.port}.json`),
    );
    pids.push(after.coordinatorPid);
    const status = await sb.dora(["status", "--format", "json"]);
    assert.equal(JSON.parse(status.stdout).daemons.length, 1);
    assert.equal((await sb.dora(["down"])).code, 0);
    assert.ok(!pids.some(alive), "nothing left");
  } finally {
    // Also when an assertion failed early: a second coordinator started by
    // `dora up` is only known from the state file.
    killLeftovers(sb, pids);
    await sb.cleanup();
  }
});
