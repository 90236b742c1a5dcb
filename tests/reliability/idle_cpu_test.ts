/**
 * An idle system costs about nothing: with a dataflow whose nodes are
 * connected but get no data, `dora run` and its nodes, and a coordinator, a
 * daemon and their nodes, each use under 2 % of a core over a few seconds
 * (no busy loop, no polling storm).
 */
import assert from "node:assert/strict";
import { DoraProcess } from "../_support/dora.ts";
import { processesWithEnv, Sandbox } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";

const IDLE_TS = `import { Node } from "dora";
const node = await Node.init();
console.log("idle ready");
for await (const event of node) {
  if (event.type === "STOP") break;
}
`;
const IDLE_PY = `from dora import Node
node = Node()
print("idle ready", flush=True)
for event in node:
    if event["type"] == "STOP":
        break
`;
const DATAFLOW = `nodes:
  - id: ts
    path: idle.ts
    outputs: [x]
  - id: py
    path: idle.py
    inputs:
      x: ts/x
`;

const WINDOW_MS = 4000;
/** 2 % of one core over the window, in clock ticks (100 per second). */
const MAX_TICKS = (WINDOW_MS / 1000) * 100 * 0.02;

/** User + system CPU time of `pid` in clock ticks, or undefined when gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** `pid` and its descendants. */
function tree(pid: number): number[] {
  const out = [pid];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(...tree(Number(e.name)));
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU ticks each of `pids` used during the window. */
async function idleTicks(pids: number[]): Promise<Map<number, number>> {
  const before = new Map(pids.map((p) => [p, cpuTicks(p)]));
  // A measurement over a fixed span: what is asserted is CPU time used,
  // which a busy machine does not inflate.
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const used = new Map<number, number>();
  for (const p of pids) {
    const a = before.get(p);
    const b = cpuTicks(p);
    if (a !== undefined && b !== undefined) used.set(p, b - a);
  }
  return used;
}

function describe(pid: number): string {
  return readOrEmpty(`/proc/${pid}/cmdline`).replaceAll("\0", " ").slice(
    0,
    100,
  );
}

function checkIdle(used: Map<number, number>): void {
  assert.ok(used.size >= 3, `measured ${used.size} processes`);
  for (const [pid, ticks] of used) {
    assert.ok(
      ticks <= MAX_TICKS,
      `${describe(pid)} used ${ticks} ticks in ${WINDOW_MS} ms while idle`,
    );
  }
}

Deno.test("dora run and its idle nodes use about no CPU", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-idle-" });
  const dora = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
  try {
    Deno.writeTextFileSync(`${dir}/idle.ts`, IDLE_TS);
    Deno.writeTextFileSync(`${dir}/idle.py`, IDLE_PY);
    Deno.writeTextFileSync(`${dir}/dataflow.yml`, DATAFLOW);
    await dora.waitForLine(/ts: idle ready|"node":"ts".*idle ready/);
    await dora.waitForLine(/py: idle ready|"node":"py".*idle ready/);
    checkIdle(await idleTicks(tree(dora.child.pid)));
  } finally {
    dora.kill("SIGINT");
    await dora.result();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("an idle coordinator, daemon and their nodes use about no CPU", async () => {
  const sb = await Sandbox.create();
  try {
    const coordinator = await sb.coordinator();
    const daemon = await sb.daemon();
    sb.write("idle.ts", IDLE_TS);
    sb.write("idle.py", IDLE_PY);
    const file = sb.write("dataflow.yml", DATAFLOW);
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    for (const node of ["ts", "py"]) {
      await waitUntil(
        () =>
          readOrEmpty(`${sb.dir}/out/${uuid}/log_${node}.jsonl`).includes(
            "idle ready",
          ),
        `node ${node} ready`,
      );
    }
    const pids = [
      coordinator.child.pid,
      ...tree(daemon.child.pid),
      ...processesWithEnv(uuid),
    ];
    checkIdle(await idleTicks([...new Set(pids)]));
  } finally {
    await sb.cleanup();
  }
});
