/**
 * `dora run` stop ladder: Ctrl-C sends STOP, a node ignoring STOP is killed
 * after the grace period and reported as stopped, a second Ctrl-C forces, and
 * `kill -9` of dora run leaves no node process behind.
 */
import assert from "node:assert/strict";
import {
  childPids,
  DoraProcess,
  fixture,
  jsonSummary,
  tempDataflow,
  waitGone,
} from "../_support/dora.ts";

const py = (f: string) => fixture(`py/${f}`);

function forever(id: string, ignoreStop = false) {
  return `
  - id: ${id}
    path: ${py("forever.py")}
    inputs:
      tick: dora/timer/millis/50
    env: { IGNORE_STOP: "${ignoreStop ? 1 : 0}" }`;
}

async function pids(dora: DoraProcess, ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) {
    const line = await dora.waitForLine(
      new RegExp(
        `${id}: forever: pid \\d+|"node":"${id}".*"msg":"forever: pid \\d+`,
      ),
    );
    out.push(Number(/pid (\d+)/.exec(line)![1]));
  }
  return out;
}

Deno.test("SIGINT stops every node with STOP and exits 0", async () => {
  await using df = await tempDataflow(`nodes:${forever("a")}${forever("b")}`);
  const dora = new DoraProcess(["run", df.path, "--log-format", "compact"]);
  const nodePids = await pids(dora, ["a", "b"]);
  dora.kill("SIGINT");
  const r = await dora.result();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /a: forever: stop MANUAL/);
  assert.match(r.stderr, /b: forever: stop MANUAL/);
  await waitGone(nodePids);
});

Deno.test("a node ignoring STOP is killed after the grace period and reported as stopped", async () => {
  await using df = await tempDataflow(
    `nodes:${forever("good")}${forever("stubborn", true)}`,
  );
  const dora = new DoraProcess([
    "run",
    df.path,
    // Long enough for a well-behaved node on a loaded machine.
    "--grace-duration",
    "3s",
    "--log-format",
    "json",
  ]);
  const nodePids = await pids(dora, ["good", "stubborn"]);
  dora.kill("SIGTERM");
  const r = await dora.result();
  assert.equal(r.code, 0, r.stderr);
  const summary = jsonSummary(r.stderr);
  assert.equal(summary.nodes.find((n) => n.id === "good")!.outcome, "finished");
  assert.equal(
    summary.nodes.find((n) => n.id === "stubborn")!.outcome,
    "stopped",
  );
  await waitGone(nodePids);
});

Deno.test("a second Ctrl-C force-kills at once", async () => {
  await using df = await tempDataflow(`nodes:${forever("stubborn", true)}`);
  const dora = new DoraProcess(["run", df.path, "--grace-duration", "60s"]);
  const nodePids = await pids(dora, ["stubborn"]);
  dora.kill("SIGINT");
  await dora.waitForLine(/stubborn: forever: ignoring stop/);
  dora.kill("SIGINT");
  const r = await dora.result();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /force-killing/);
  assert.match(r.stderr, /stubborn\s+was killed by a forced stop/);
  await waitGone(nodePids);
});

Deno.test("--stop-after stops the dataflow like Ctrl-C", async () => {
  await using df = await tempDataflow(`nodes:${forever("a")}`);
  const dora = new DoraProcess(["run", df.path, "--stop-after", "1s"]);
  const r = await dora.result();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--stop-after 1s elapsed/);
  assert.match(r.stderr, /forever: stop MANUAL/);
});

Deno.test("kill -9 of dora run leaves no node process", async () => {
  await using df = await tempDataflow(
    `nodes:${forever("a")}${forever("b", true)}
  - id: ts
    path: ${fixture("ts/pong.ts")}
    inputs: { ping: dora/timer/secs/100 }
    outputs: [pong]
`,
  );
  const dora = new DoraProcess(["run", df.path]);
  const nodePids = await pids(dora, ["a", "b"]);
  await dora.waitForLine(/started/);
  // Every node process (Python and Deno) is a direct child of dora run.
  let children: number[] = [];
  while (children.length < 3) {
    children = childPids(dora.child.pid);
    await new Promise((r) => setTimeout(r, 20));
  }
  dora.kill("SIGKILL");
  await dora.result();
  await waitGone([...nodePids, ...children]);
});
