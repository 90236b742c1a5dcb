/**
 * When shared memory cannot be had, big messages still arrive, through the
 * socket, and the sender's log says why (once): a full /dev/shm (a 2 MiB
 * tmpfs in a private mount namespace, 4 MiB messages) and a sender without
 * free file descriptors (a Python sender's RLIMIT_NOFILE lowered to 0 once it
 * is up).
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { runDora, tempDataflow } from "../_support/dora.ts";
import { regionsOf, shmFixture, summaryOf } from "../_support/shm.ts";

const COUNT = 6;

/** Two senders (TypeScript, Python) of COUNT messages and a checking receiver. */
function dataflow(senderEnv: string): string {
  return `
nodes:
  - id: ts_sender
    path: ${shmFixture("sender.ts")}
    outputs: [data]
    env: { COUNT: ${COUNT}, ${senderEnv} }
  - id: py_sender
    path: ${shmFixture("sender.py")}
    outputs: [data]
    env: { COUNT: ${COUNT}, ${senderEnv} }
  - id: counter
    path: ${shmFixture("counter.ts")}
    inputs:
      from_ts: { source: ts_sender/data, queue_policy: backpressure }
      from_py: { source: py_sender/data, queue_policy: backpressure }
`;
}

/** Log records `{node, level, msg}` of a `--log-format json` run. */
function records(
  stderr: string,
): { node: string; level: string; msg: string }[] {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) =>
    JSON.parse(l)
  ).filter((r) => typeof r.msg === "string");
}

/** Everything arrived intact, nothing through shared memory, one warning each. */
function assertFellBack(stderr: string, warning: Record<string, RegExp>): void {
  const recs = records(stderr);
  const counter = recs.filter((r) => r.node === "counter").map((r) => r.msg);
  assert.ok(
    counter.includes(`shm_counter: from_ts got ${COUNT} bad=0`),
    stderr,
  );
  assert.ok(
    counter.includes(`shm_counter: from_py got ${COUNT} bad=0`),
    stderr,
  );
  const summary = summaryOf(stderr);
  for (const [node, re] of Object.entries(warning)) {
    const s = summary.nodes.find((n) => n.id === node)!;
    assert.equal(s.sent, COUNT, JSON.stringify(s));
    assert.equal(s.viaShm, 0, JSON.stringify(s));
    const warnings = recs.filter((r) => r.node === node && r.level === "warn");
    assert.equal(warnings.length, 1, `${node}: ${JSON.stringify(warnings)}`);
    assert.match(warnings[0]!.msg, re);
  }
}

/** Whether this process may make a mount namespace with its own /dev/shm. */
function canUnshare(): boolean {
  try {
    const probe = new Deno.Command("unshare", {
      args: ["-m", "sh", "-c", "mount -t tmpfs -o size=1M tmpfs /dev/shm"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return probe.success;
  } catch {
    return false;
  }
}

const unshareOk = canUnshare();
if (!unshareOk) {
  console.warn(
    "shm_fallback_test: ignoring the full and read-only /dev/shm tests: `unshare -m` with a tmpfs mount is not permitted here (needs root or CAP_SYS_ADMIN)",
  );
}

/**
 * Runs `dora run <path>` in a private mount namespace whose /dev/shm is a
 * tmpfs mounted with `options`; stdout ends with what was left in it.
 */
async function runWithOwnShm(
  options: string,
  path: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cmd, args } = doraCommand();
  // The namespace and its tmpfs vanish with the shell.
  const script = `mount -t tmpfs -o ${options} tmpfs /dev/shm || exit 99
"$@"; rc=$?
echo "left in /dev/shm: [$(ls -A /dev/shm)]"
exit $rc`;
  const out = await new Deno.Command("unshare", {
    args: [
      "-m",
      "sh",
      "-c",
      script,
      "sh",
      cmd,
      ...args,
      "run",
      path,
      "--log-format",
      "json",
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test({
  name:
    "a full /dev/shm makes 4 MiB messages go through the socket, intact, with a warning",
  ignore: !unshareOk,
  fn: async () => {
    await using df = await tempDataflow(dataflow("SIZE: 4194304"));
    const r = await runWithOwnShm("size=2M", df.path);
    assert.equal(r.code, 0, r.stderr);
    assertFellBack(r.stderr, {
      ts_sender:
        /^cannot create shared memory \(posix_fallocate\(\/dora-[0-9a-f]{32}-ts_sender-\d+-0, 4194304\): ENOSPC\); sending through the socket instead$/,
      py_sender:
        /^cannot create shared memory \(ENOSPC: No space left on device, 4194304 bytes\); sending through the socket instead$/,
    });
    assert.match(r.stdout, /left in \/dev\/shm: \[\]/);
  },
});

Deno.test({
  name:
    "a read-only /dev/shm makes big messages go through the socket, intact, with a warning",
  ignore: !unshareOk,
  fn: async () => {
    await using df = await tempDataflow(dataflow("SIZE: 1000000"));
    const r = await runWithOwnShm("ro", df.path);
    assert.equal(r.code, 0, r.stderr);
    assertFellBack(r.stderr, {
      ts_sender:
        /^cannot create shared memory \(shm_open\(\/dora-[0-9a-f]{32}-ts_sender-\d+-0\): EROFS\); sending through the socket instead$/,
      py_sender:
        /^shared memory is unavailable \(\/dev\/shm is missing or not writable\); sending through the socket$/,
    });
    assert.match(r.stdout, /left in \/dev\/shm: \[\]/);
  },
});

Deno.test("a sender out of file descriptors sends through the socket, intact, with a warning", async () => {
  // Only the Python sender runs out of fds: a Deno process without a free fd
  // can panic inside the runtime itself (e.g. when it sets up signals), which
  // is not what this test is about.
  const flow = dataflow("SIZE: 1000000").replace(
    /(id: py_sender[\s\S]*?env: \{)/,
    "$1 NOFILE: 0,",
  );
  assert.match(flow, /NOFILE: 0/);
  await using df = await tempDataflow(flow);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assertFellBack(r.stderr, {
    py_sender:
      /^cannot create shared memory \(EMFILE: Too many open files, 1000000 bytes\); sending through the socket instead$/,
  });
  assert.deepEqual(regionsOf(summaryOf(r.stderr).dataflowId), []);
});
