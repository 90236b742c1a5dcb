/**
 * Coordinator restarts and lost daemons: nodes keep running while the
 * coordinator is down, the daemon reconnects and re-adopts its dataflows,
 * the SQLite store keeps the history, and a silent daemon is reported lost.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "../_support/cluster.ts";

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
  const fast = { DORA_HEARTBEAT_MS: "100", DORA_DAEMON_TIMEOUT_MS: "1200" };
  try {
    const coordinator = await sb.coordinator([], fast);
    const daemon = await sb.daemon(["--machine-id", "A"]);
    Deno.kill(daemon.child.pid, "SIGSTOP");
    try {
      await coordinator.waitFor(/daemon "A" lost: no heartbeat/);
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

Deno.test("a multi-daemon ready barrier survives a coordinator restart before its release", async () => {
  const sb = await Sandbox.create();
  sb.write(
    "source.ts",
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT") await node.sendOutput("n", [++n]);
  if (n === 10) break;
}
`,
  );
  sb.write(
    "late_sink.ts",
    `import { Node } from "dora";
// Joins only once the test says so (after the coordinator was killed).
while (true) {
  try {
    Deno.statSync("go");
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 20));
  }
}
const node = await Node.init();
const got: number[] = [];
for await (const event of node) {
  if (event.type === "INPUT") got.push(Number(event.value.get(0)));
}
console.log("sink got " + got.join(","));
`,
  );
  const yml = sb.write(
    "barrier.yml",
    `nodes:
  - id: source
    _unstable_deploy: { machine: A }
    path: source.ts
    inputs: { tick: dora/timer/millis/10 }
    outputs: [n]
  - id: sink
    _unstable_deploy: { machine: B }
    path: late_sink.ts
    inputs: { n: source/n }
`,
  );
  try {
    let coordinator = await sb.coordinator();
    const a = await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    const uuid = (await sb.dora(["start", yml, "--detach"])).stdout.trim();
    await coordinator.stop("SIGKILL");
    sb.write("go", "");
    coordinator = await sb.coordinator();
    await a.waitFor(/(registered with[^]*){2}/);
    await b.waitFor(/(registered with[^]*){2}/);
    const follow = await sb.dora(["logs", uuid, "--all-nodes", "--follow"]);
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, /sink got 1,2,3,4,5,6,7,8,9,10/);
    const row = (await list(sb)).find((r) => r.uuid === uuid);
    assert.equal(row?.status, "finished", JSON.stringify(row));
  } finally {
    await sb.cleanup();
  }
});
