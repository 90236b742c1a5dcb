/**
 * `kill -9` of the runner (`dora run` or a daemon) leaves no process of the
 * dataflow behind, grandchildren included (a wrapper script's child, a
 * `subprocess.Popen` child); and when even the runner's watchdog is gone
 * with it, what they left (runtime folder, shared-memory regions, the
 * discovery socket) is removed by the next start and by `dora clean`.
 */
import assert from "node:assert/strict";
import { childPids, DoraProcess, processAlive } from "../_support/dora.ts";
import { processesWithEnv, Sandbox } from "../_support/cluster.ts";
import { regionsOf, removeRegionsOf, shmFixture } from "../_support/shm.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";
import { runtimeBase } from "../../src/runtime/mod.ts";

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A wrapper script whose node is its child (no exec), and a node that starts a helper. */
function writeNodes(dir: string): void {
  Deno.writeTextFileSync(
    `${dir}/wrapper.sh`,
    `#!/bin/sh\npython3 "$(dirname "$0")/child.py"\necho "wrapper: child ended"\n`,
  );
  Deno.chmodSync(`${dir}/wrapper.sh`, 0o755);
  Deno.writeTextFileSync(
    `${dir}/child.py`,
    `from dora import Node
node = Node()
print("child: up", flush=True)
for event in node:
    pass
`,
  );
  Deno.writeTextFileSync(
    `${dir}/spawner.py`,
    `import subprocess
from dora import Node
node = Node()
helper = subprocess.Popen(["sleep", "600"])
print(f"spawner: helper {helper.pid}", flush=True)
for event in node:
    pass
`,
  );
}

const TREE = `
nodes:
  - id: wrapped
    path: wrapper.sh
    inputs: { tick: dora/timer/millis/100 }
  - id: spawner
    path: spawner.py
    inputs: { tick: dora/timer/millis/100 }
`;

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

Deno.test("kill -9 of dora run leaves no grandchild of a node behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-orphans-" });
  let uuid = "";
  try {
    writeNodes(dir);
    Deno.writeTextFileSync(`${dir}/dataflow.yml`, TREE);
    const dora = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
    const started = await dora.waitForLine(/dataflow [0-9a-f-]{36} started/);
    uuid = /dataflow ([0-9a-f-]{36})/.exec(started)![1]!;
    await dora.waitForLine(/child: up/);
    const helper = Number(
      /helper (\d+)/.exec(await dora.waitForLine(/spawner: helper \d+/))![1],
    );
    // The helper and the wrapper's child are grandchildren of dora run.
    assert.ok(processAlive(helper));
    assert.ok(
      processesWithEnv(uuid).length >= 4,
      "wrapper, child, spawner, helper",
    );

    dora.kill("SIGKILL");
    await dora.result();
    await waitUntil(
      () => processesWithEnv(uuid).length === 0,
      "every process of the dataflow to end",
      { timeoutMs: 15_000, detail: () => processesWithEnv(uuid).join(", ") },
    );
    // The watchdog also removed the run's folder (socket, import map).
    await waitUntil(
      () => !existsSync(`${runtimeBase()}/${uuid}`),
      "the runtime folder to go",
    );
  } finally {
    if (uuid) killAll(processesWithEnv(uuid));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("kill -9 of a daemon ends its nodes' trees too", async () => {
  const sb = await Sandbox.create();
  let uuid = "";
  try {
    writeNodes(sb.dir);
    await sb.coordinator();
    const daemon = await sb.daemon();
    const file = sb.write("dataflow.yml", TREE);
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    uuid = start.stdout.trim();
    const logs = () =>
      readOrEmpty(`${sb.dir}/out/${uuid}/log_spawner.jsonl`) +
      readOrEmpty(`${sb.dir}/out/${uuid}/log_wrapped.jsonl`);
    await waitUntil(
      () => /spawner: helper/.test(logs()) && /child: up/.test(logs()),
      "the helper and the wrapper's child",
      { detail: () => daemon.stderr },
    );
    assert.ok(
      processesWithEnv(uuid).length >= 4,
      "wrapper, child, spawner, helper",
    );
    daemon.child.kill("SIGKILL");
    await daemon.done;
    await waitUntil(
      () => processesWithEnv(uuid).length === 0,
      "every process of the dataflow to end",
      { timeoutMs: 15_000, detail: () => processesWithEnv(uuid).join(", ") },
    );
  } finally {
    if (uuid) killAll(processesWithEnv(uuid));
    await sb.cleanup();
  }
});

/** A Python sender of 1 MB messages through shared memory, and its receiver. */
const SHM = `
nodes:
  - id: sender
    path: ${shmFixture("sender.py")}
    inputs: { tick: dora/timer/millis/20 }
    outputs: [data]
    env: { SIZE: 1000000 }
  - id: counter
    path: ${shmFixture("counter.ts")}
    inputs:
      from_py: sender/data
`;

/** Kills `pid` and every process below it (the runner and its watchdog). */
function killTree(pid: number): void {
  for (const child of childPids(pid)) killTree(child);
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
}

Deno.test("dora clean and the next daemon start remove what a killed daemon left", async () => {
  const sb = await Sandbox.create();
  const run = `${sb.dir}/run`;
  Deno.mkdirSync(run, { mode: 0o700 });
  const env = { XDG_RUNTIME_DIR: run };
  let uuid = "";
  try {
    await sb.coordinator([], env);
    for (const round of ["dora clean", "next start"]) {
      const daemon = await sb.daemon(["--machine-id", "M"], env);
      const file = sb.write("shm.yml", SHM);
      const start = await sb.dora(["start", file, "--detach"], env);
      assert.equal(start.code, 0, start.stderr);
      uuid = start.stdout.trim();
      await waitUntil(() => regionsOf(uuid).length > 0, "regions", {
        detail: () => daemon.stderr,
      });
      const folders = () =>
        [...Deno.readDirSync(`${run}/dora/machine-M/dora`)].map((e) => e.name);
      const sockets = () =>
        [...Deno.readDirSync(`${run}/dora`)].map((e) => e.name).filter((n) =>
          n.endsWith(".sock")
        );
      assert.ok(folders().includes(uuid), folders().join(", "));
      assert.equal(sockets().length, 1);
      // The daemon and everything it started, all at once (no watchdog left).
      killTree(daemon.child.pid);
      await daemon.done;
      await waitUntil(
        () => processesWithEnv(uuid).length === 0,
        "the nodes to die with their parent",
      );
      assert.ok(regionsOf(uuid).length > 0, "the regions outlived the daemon");
      if (round === "dora clean") {
        const clean = await sb.dora(["clean"], env);
        assert.equal(clean.code, 0, clean.stderr);
        assert.match(clean.stdout, /removed .*1 runtime folder/);
      } else {
        await sb.daemon(["--machine-id", "M"], env);
      }
      assert.deepEqual(regionsOf(uuid), [], round);
      assert.ok(!folders().includes(uuid), `${round}: ${folders().join(", ")}`);
      assert.equal(sockets().length, round === "dora clean" ? 0 : 1, round);
      removeRegionsOf(uuid);
    }
  } finally {
    if (uuid) {
      killAll(processesWithEnv(uuid));
      removeRegionsOf(uuid);
    }
    await sb.cleanup();
  }
});
