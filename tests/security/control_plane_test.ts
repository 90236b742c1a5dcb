/**
 * The control plane against strangers: a web page (a foreign `Origin`) is
 * refused even with the right token, a loopback coordinator requires a token
 * by default (generated into a 0600 file in the state dir, read by the CLI
 * and daemons of the same user, so nobody notices), and a descriptor built
 * by a client is validated by the coordinator before anything is spawned.
 */
import assert from "node:assert/strict";
import { connectCoordinator } from "../../src/control/connect.ts";
import { encodeJson } from "../../src/control/json.ts";
import { Peer, RemoteError } from "../../src/control/peer.ts";
import { processAlive } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";

function tokenOf(sb: Sandbox): string {
  return Deno.readTextFileSync(`${sb.dir}/state/token`).trim();
}

Deno.test("dora coordinator refuses a WebSocket from a web page, even with the token", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const marker = `${sb.dir}/pwned`;
    let token = "";
    try {
      token = tokenOf(sb);
    } catch {
      // today: no token at all on loopback
    }
    const headers: Record<string, string> = {
      origin: "https://evil.example",
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const ws = new (WebSocket as unknown as new (
      url: string,
      opts: { headers: Record<string, string> },
    ) => WebSocket)(`ws://127.0.0.1:${sb.port}/api/control`, { headers });
    const peer = new Peer(ws, {});
    const opened = await peer.opened.then(() => true, () => false);
    if (opened) {
      // What a page could do once in: start a node that runs anything.
      await sb.daemon();
      await peer.call("hello", { version: "0.1.0", role: "cli" }).catch(
        () => {},
      );
      await peer.call("start", {
        descriptor: {
          path: `${sb.dir}/x.yml`,
          workingDir: sb.dir,
          nodes: [{
            id: "evil",
            path: "/bin/sh",
            args: `-c "touch ${marker}"`,
            env: {},
            inputs: [],
            outputs: [],
            restartPolicy: "never",
            maxRestarts: 0,
            maxRotatedFiles: 0,
          }],
          healthCheckInterval: 5,
          debug: { publishAllMessages: false },
        },
        env: {},
      }).catch(() => {});
      peer.close();
    }
    assert.equal(opened, false, "a page on evil.example got a control link");
    const res = await fetch(`http://127.0.0.1:${sb.port}/api/control`, {
      headers,
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /cross-origin/);
    assert.equal(
      await Deno.stat(marker).then(() => true, () => false),
      false,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora coordinator on loopback requires a token by default, and the CLI finds it", async () => {
  const sb = await Sandbox.create();
  const stranger = await Deno.makeTempDir({ prefix: "dora-stranger-" });
  try {
    const c = await sb.coordinator();
    // Generated into the state dir, readable by this user only.
    const info = Deno.statSync(`${sb.dir}/state/token`);
    assert.equal(info.mode! & 0o777, 0o600);
    assert.match(tokenOf(sb), /^[0-9a-f]{64}$/);
    assert.match(c.stderr, /auth: bearer token/);
    // The same user's CLI and daemon notice nothing.
    await sb.daemon();
    const list = await sb.dora(["list"]);
    assert.equal(list.code, 0, list.stderr);
    // Someone without the file is refused.
    const other = await sb.dora(["list"], {
      DORA_STATE_DIR: `${stranger}/state`,
    });
    assert.equal(other.code, 1);
    assert.match(other.stderr, /requires an auth token/);
    const health = await fetch(`http://127.0.0.1:${sb.port}/api/control`);
    await health.body?.cancel();
    assert.equal(health.status, 401);
  } finally {
    await sb.cleanup();
    await Deno.remove(stranger, { recursive: true }).catch(() => {});
  }
});

Deno.test("dora coordinator validates a client-built descriptor before spawning", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const daemon = await sb.daemon();
    let token: string | undefined;
    try {
      token = tokenOf(sb);
    } catch {
      // today: no token on loopback
    }
    const { peer } = await connectCoordinator(
      { addr: "127.0.0.1", port: sb.port },
      { token },
    );
    const node = {
      id: "n",
      path: "node.ts",
      env: {},
      inputs: [],
      outputs: [],
      restartPolicy: "never",
      maxRestarts: 0,
      maxRotatedFiles: 0,
    };
    const dataflow = (nodes: unknown[]) => ({
      path: `${sb.dir}/x.yml`,
      workingDir: sb.dir,
      nodes,
      healthCheckInterval: 5,
      debug: { publishAllMessages: false },
    });
    const cases: [unknown, RegExp][] = [
      ["not a dataflow", /descriptor/],
      [dataflow([{ ...node, path: 42 }]), /nodes\[0\]\.path/],
      [dataflow([{ ...node, id: "../../etc" }]), /nodes\[0\]\.id/],
      [
        dataflow([{ ...node, env: { PORT: 8080 } }]),
        /nodes\[0\]\.env\.PORT/,
      ],
      [
        dataflow([{
          ...node,
          inputs: [{
            id: "in",
            sourceText: "ghost/out",
            source: { kind: "node", node: "ghost", output: "out" },
            queueSize: 10,
            queuePolicy: "drop_oldest",
          }],
        }]),
        /nodes\[0\]\.inputs\[0\].*"ghost"/,
      ],
      [dataflow([node, node]), /nodes\[1\]\.id.*duplicate/],
      [
        dataflow([{
          ...node,
          inputs: [{
            id: "tick",
            sourceText: "dora/timer/millis/0",
            source: { kind: "timer", intervalNs: 0n, text: "millis/0" },
            queueSize: 10,
            queuePolicy: "drop_oldest",
          }],
        }]),
        /nodes\[0\]\.inputs\[0\]\.source/,
      ],
    ];
    try {
      await peer.call("hello", { version: "0.1.0", role: "cli" }).catch(
        () => {},
      );
      for (const [descriptor, why] of cases) {
        const err = await peer.call("start", { descriptor, env: {} }).then(
          () => undefined,
          (e) => e,
        );
        assert.ok(
          err instanceof RemoteError,
          `accepted: ${encodeJson(descriptor)}`,
        );
        assert.match(err.message, /invalid dataflow/);
        assert.match(err.message, why);
      }
    } finally {
      peer.close();
    }
    const list = await sb.dora(["list", "--format", "json"]);
    assert.equal(list.stdout.trim(), "", "nothing was recorded");
    assert.ok(processAlive(daemon.child.pid), daemon.stderr);
  } finally {
    await sb.cleanup();
  }
});
