/**
 * `cpu_affinity` pins every thread of a node to the cores it names (missing
 * cores skipped with a warning), and `dora run --rt` locks the runtime's
 * memory and runs it with SCHED_FIFO while nodes keep normal scheduling; where
 * that is not permitted it warns and runs anyway.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

/** Prints the CPUs every thread of this node may run on. */
const AFFINITY_PY = `import glob, threading, time
from dora import Node
node = Node()
threading.Thread(target=time.sleep, args=(0.2,)).start()
lists = set()
for status in glob.glob("/proc/self/task/*/status"):
    for line in open(status):
        if line.startswith("Cpus_allowed_list:"):
            lists.add(line.split()[1])
print("cpus", ",".join(sorted(lists)), flush=True)
`;

/** Prints the scheduling policy of the runtime (its parent) and its own. */
const POLICY_PY = `import os
from dora import Node
node = Node()
def field(pid, path, key):
    for line in open(f"/proc/{pid}/{path}"):
        if line.startswith(key):
            return line.split(":")[1].split()[0]
parent = os.environ["DORA_RUN_PARENT_PID"]
print("runtime policy", field(parent, "sched", "policy"), "locked kB", field(parent, "status", "VmLck"),
      "node policy", field("self", "sched", "policy"), flush=True)
`;

Deno.test("dora run pins a node's threads to its cpu_affinity and skips cores that do not exist", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-affinity-" });
  try {
    const last = navigator.hardwareConcurrency - 1;
    Deno.writeTextFileSync(`${dir}/cpus.py`, AFFINITY_PY);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:\n  - id: pinned\n    path: cpus.py\n    cpu_affinity: [${last}, 4096]\n`,
    );
    const r = await runDora(["run", "dataflow.yml"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`pinned: cpus ${last}\\n`));
    assert.match(
      r.stderr,
      /node "pinned": cpu_affinity cores 4096 do not exist on this machine .*: skipped/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run --rt locks the runtime's memory and runs it with SCHED_FIFO, nodes unchanged", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-rt-" });
  try {
    Deno.writeTextFileSync(`${dir}/policy.py`, POLICY_PY);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: probe\n    path: policy.py\n",
    );
    const r = await runDora(["run", "dataflow.yml", "--rt"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--rt: memory locked, SCHED_FIFO priority 50/);
    const m = /runtime policy (\d+) locked kB (\d+) node policy (\d+)/.exec(
      r.stderr,
    );
    assert.ok(m, r.stderr);
    assert.equal(m[1], "1"); // SCHED_FIFO
    assert.ok(Number(m[2]) > 0, `VmLck ${m[2]}`);
    assert.equal(m[3], "0"); // SCHED_OTHER: reset on fork
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run --rt delivers timer ticks (the timer thread starts before memory is locked)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-rt-timer-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/ticks.py`,
      `from dora import Node
node = Node()
n = 0
for event in node:
    if event["type"] == "INPUT":
        n += 1
        if n == 20:
            break
print("ticks", n, flush=True)
`,
    );
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: counter\n    path: ticks.py\n    inputs:\n      tick: dora/timer/millis/2\n",
    );
    const r = await runDora(["run", "dataflow.yml", "--rt"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /panicked/);
    assert.match(r.stderr, /counter: ticks 20\n/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run --rt warns and runs normally where real-time is not permitted", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-rt-" });
  try {
    Deno.writeTextFileSync(`${dir}/policy.py`, POLICY_PY);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: probe\n    path: policy.py\n",
    );
    const { doraCommand } = await import("../../src/dora_command.ts");
    const { cmd, args } = doraCommand();
    // No CAP_SYS_NICE / CAP_IPC_LOCK, no real-time priority, 64 KiB lockable.
    const out = await new Deno.Command("prlimit", {
      args: [
        "--rtprio=0",
        "--memlock=65536",
        "setpriv",
        "--inh-caps=-sys_nice,-ipc_lock",
        "--bounding-set=-sys_nice,-ipc_lock",
        cmd,
        ...args,
        "run",
        "dataflow.yml",
        "--rt",
      ],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.match(
      stderr,
      /warn.*--rt: not locking memory: no CAP_IPC_LOCK and `ulimit -l` is 64 KiB/,
    );
    assert.match(
      stderr,
      /warn.*--rt: SCHED_FIFO not permitted \(sched_setscheduler: EPERM\); running with normal scheduling/,
    );
    assert.match(stderr, /runtime policy 0 locked kB 0 node policy 0/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
