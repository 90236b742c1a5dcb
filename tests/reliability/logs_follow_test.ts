/**
 * `dora logs --follow` while the log rotates: every line exactly once, in
 * order, multi-byte characters intact (locally and through the coordinator);
 * and a follower reads only what is appended, never the whole files again.
 */
import assert from "node:assert/strict";
import { DoraProcess } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";

/** Prints LINES numbered lines with multi-byte characters, then waits. */
const WRITER = `import os, time
from dora import Node
node = Node()
pad = "x" * int(os.environ.get("PAD", "0"))
for i in range(1, int(os.environ["LINES"]) + 1):
    print(f"line {i} ✓ é 漢字 🚀 {pad}", flush=True)
go = os.environ.get("GO")
if go:
    while not os.path.exists(go):
        time.sleep(0.05)
    print("final line", flush=True)
for event in node:
    if event["type"] == "STOP":
        break
`;

function dataflow(env: Record<string, string | number>, maxLogSize: string) {
  return `nodes:
  - id: writer
    path: writer.py
    max_log_size: "${maxLogSize}"
    max_rotated_files: 100
    env: ${JSON.stringify(env)}
`;
}

/** Checks that `lines` hold `line 1` … `line n` once each, in order, intact. */
function checkLines(output: string[], n: number): void {
  const got = output.map((l) => /line (\d+) ✓ é 漢字 🚀/.exec(l))
    .filter((m) => m !== null).map((m) => Number(m![1]));
  const have = new Set(got);
  const missing: number[] = [];
  for (let i = 1; i <= n; i++) if (!have.has(i)) missing.push(i);
  assert.equal(
    got.length,
    n,
    `got ${got.length} lines; missing: ${missing.slice(0, 10).join(", ")}`,
  );
  got.forEach((v, i) => assert.equal(v, i + 1, `line ${i + 1} is ${v}`));
  assert.ok(!output.some((l) => l.includes("\uFFFD")), "a broken character");
}

const N = 3000;

Deno.test("dora logs --local --follow sees every line once, in order, across rotations", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-follow-" });
  const run = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
  let follower: DoraProcess | undefined;
  try {
    Deno.writeTextFileSync(`${dir}/writer.py`, WRITER);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      dataflow({ LINES: N }, "48KB"),
    );
    await run.waitForLine(/line 20 /);
    follower = new DoraProcess(
      ["logs", "--local", "writer", "--follow", "--log-format", "compact"],
      { cwd: dir },
    );
    await follower.waitForLine(new RegExp(`line ${N} `), 60_000);
    const rotated = [...Deno.readDirSync(`${dir}/out`)].flatMap((d) =>
      [...Deno.readDirSync(`${dir}/out/${d.name}`)].map((f) => f.name)
    ).filter((f) => /\.\d+\.jsonl$/.test(f));
    assert.ok(rotated.length >= 5, `only ${rotated.length} rotations`);
    checkLines(follower.lines, N);
  } finally {
    follower?.kill("SIGKILL");
    await follower?.result();
    run.kill("SIGINT");
    await run.result();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("dora logs --follow through the coordinator sees every line once, in order, across rotations", async () => {
  const sb = await Sandbox.create();
  let follower: DoraProcess | undefined;
  try {
    await sb.coordinator();
    await sb.daemon();
    sb.write("writer.py", WRITER);
    const go = `${sb.dir}/go`;
    const file = sb.write(
      "dataflow.yml",
      dataflow({ LINES: N, GO: go }, "48KB"),
    );
    const start = await sb.dora(["start", file, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    follower = new DoraProcess(
      ["logs", uuid, "writer", "--follow", "--log-format", "compact"],
      { cwd: sb.dir, env: sb.env },
    );
    await follower.waitForLine(new RegExp(`line ${N} `), 60_000);
    Deno.writeTextFileSync(go, "");
    await follower.waitForLine(/final line/);
    checkLines(follower.lines, N);
  } finally {
    follower?.kill("SIGKILL");
    await follower?.result();
    await sb.cleanup();
  }
});

/** Bytes process `pid` has read so far (all reads, cached or not). */
function bytesRead(pid: number): number {
  const io = Deno.readTextFileSync(`/proc/${pid}/io`);
  return Number(/rchar: (\d+)/.exec(io)![1]);
}

Deno.test("dora logs --local --follow reads what is appended, not the whole files again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-follow-" });
  const go = `${dir}/go`;
  const run = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
  let follower: DoraProcess | undefined;
  try {
    Deno.writeTextFileSync(`${dir}/writer.py`, WRITER);
    // About 8 MB of log in one file.
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      dataflow({ LINES: 8000, PAD: 900, GO: go }, "1GB"),
    );
    await run.waitForLine(/line 8000 /, 60_000);
    follower = new DoraProcess(
      ["logs", "--local", "writer", "--follow", "--log-format", "compact"],
      { cwd: dir },
    );
    await follower.waitForLine(/line 8000 /, 60_000);
    const before = bytesRead(follower.child.pid);
    // One more line: the follower has polled at least once more when it
    // shows, and then again (the idle polls that used to re-read it all).
    Deno.writeTextFileSync(go, "");
    await follower.waitForLine(/final line/);
    await run.waitForLine(/final line/);
    const after = bytesRead(follower.child.pid);
    assert.ok(
      after - before < 1_000_000,
      `read ${after - before} bytes to follow one line of an 8 MB log`,
    );
  } finally {
    follower?.kill("SIGKILL");
    await follower?.result();
    run.kill("SIGINT");
    await run.result();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
