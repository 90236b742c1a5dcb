/**
 * `dora run` bad input and faults: exit codes and messages that name the node.
 */
import assert from "node:assert/strict";
import { fixture, runDora, tempDataflow } from "../_support/dora.ts";

const py = (f: string) => fixture(`py/${f}`);
const ticker = `
  - id: ticker
    path: ${py("forever.py")}
    inputs:
      tick: dora/timer/millis/20`;

Deno.test("a failing node makes dora run exit 1 naming it, its exit code and stderr", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${py("sender.py")}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [out]
    env: { COUNT: 3 }
  - id: broken
    path: ${py("fail.py")}
    inputs: { in: sender/out }
    env: { EXIT_CODE: 7 }
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: node "broken" failed: exited with code 7/);
  assert.match(r.stderr, /fail: something broke \(3\)/);
});

Deno.test("a node crashing before it connects fails the start, naming it", async () => {
  await using df = await tempDataflow(`
nodes:${ticker}
  - id: early
    path: ${py("fail.py")}
    env: { BEFORE_CONNECT: 1, EXIT_CODE: 4 }
`);
  const r = await runDora(["run", df.path, "--grace-duration", "2s"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /error: dataflow start failed: node "early" exited before connecting to the daemon \(exited with code 4\)/,
  );
  assert.match(r.stderr, /fail: something broke \(1\)/);
});

Deno.test("a missing executable is an error before anything starts", async () => {
  await using df = await tempDataflow(`
nodes:${ticker}
  - id: ghost
    path: ./does-not-exist
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  // Caught by the descriptor check or by the spawner; both name the node.
  assert.match(r.stderr, /error: .*\n?.*"?ghost"?.*(not found|does not exist)/);
  assert.doesNotMatch(r.stderr, /forever: pid/);
});

Deno.test("bad args quoting is an error naming the node", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: quoted
    path: ${py("forever.py")}
    args: --name "unterminated
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /"?quoted"?.* unterminated/);
});

Deno.test("shell nodes need --allow-shell-nodes", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sh
    path: shell
    args: echo "hello from $0" && exec python3 -u ${py("logger.py")}
`);
  const refused = await runDora(["run", df.path], {
    env: { DORA_ALLOW_SHELL_NODES: "" },
  });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /node "sh" uses `path: shell`.*--allow-shell-nodes/,
  );
  const allowed = await runDora(["run", df.path, "--allow-shell-nodes"]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stderr, /sh: hello from \/bin\/sh/);
});

Deno.test("reserved env variables are dropped with a warning", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sh
    path: shell
    args: 'echo "mine=$MINE config=$DORA_NODE_CONFIG" && exec python3 -u ${
    py("logger.py")
  }'
    env: { DORA_NODE_CONFIG: "hacked", MINE: "ok" }
`);
  const r = await runDora(["run", df.path, "--allow-shell-nodes"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /DORA_NODE_CONFIG.*(reserved|ignor)/);
  assert.match(r.stderr, /sh: mine=ok config=\{"protocol":1/);
});

Deno.test("a node sending malformed frames is disconnected; the others keep running", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${py("sender.py")}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [out]
    env: { COUNT: 10 }
  - id: receiver
    path: ${py("receiver.py")}
    inputs: { in: sender/out }
  - id: garbage
    path: ${py("garbage.py")}
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /node "garbage" was disconnected: .*not a JSON object/,
  );
  assert.match(r.stderr, /garbage: got protocol error/);
  assert.match(r.stderr, /receiver: in got 10 ordered=True/);
});

Deno.test("a protocol version mismatch names both versions", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: old
    path: ${py("old_protocol.py")}
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /protocol version mismatch: node speaks 2, daemon speaks 1/,
  );
});
