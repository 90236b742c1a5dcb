/**
 * Off loopback (here 127.0.0.2, which is "not 127.0.0.1") the coordinator
 * requires a bearer token: none or a wrong one is refused with a clear
 * error; the right one (DORA_AUTH_TOKEN or .dora-token) works, for the CLI
 * and for daemons.
 */
import assert from "node:assert/strict";
import { Background, freePort, Sandbox } from "../_support/cluster.ts";
import { runDora } from "../_support/dora.ts";

Deno.test("a coordinator on 127.0.0.2 refuses requests without the right token", async () => {
  const sb = new Sandbox(
    await Deno.makeTempDir({ prefix: "dora-auth-" }),
    freePort("127.0.0.2"),
  );
  const other = await Deno.makeTempDir({ prefix: "dora-auth-client-" });
  const off = { DORA_COORDINATOR_ADDR: "127.0.0.2" };
  try {
    const c = await sb.coordinator(["--interface", "127.0.0.2"], off);
    assert.match(c.stderr, /auth token written to .*\.dora-token/);
    const token = Deno.readTextFileSync(`${sb.dir}/.dora-token`).trim();
    assert.match(token, /^[0-9a-f]{64}$/);

    // No token: run from a folder without .dora-token.
    const missing = await runIn(sb, other, ["list"], off);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /requires an auth token.*DORA_AUTH_TOKEN.*\.dora-token/,
    );
    assert.doesNotMatch(missing.stderr, /\n\s+at /);

    const wrong = await runIn(sb, other, ["list"], {
      ...off,
      DORA_AUTH_TOKEN: "0".repeat(64),
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the auth token/);

    const right = await runIn(sb, other, ["list"], {
      ...off,
      DORA_AUTH_TOKEN: token,
    });
    assert.equal(right.code, 0, right.stderr);

    // The .dora-token file in the working folder is found too (CLI and daemon).
    assert.equal((await sb.dora(["status"], off)).code, 0);
    const noTokenDaemon = new Background(["daemon", "--machine-id", "X"], {
      cwd: other,
      env: { ...sb.env, ...off },
    });
    sb.procs.push(noTokenDaemon);
    await noTokenDaemon.waitFor(/requires an auth token/);
    await sb.daemon(["--machine-id", "A"], off);
    const status = await sb.dora(["status"], off);
    assert.match(status.stdout, /A\s+connected/);
    assert.doesNotMatch(status.stdout, /\bX\b/);
  } finally {
    await sb.cleanup();
    await Deno.remove(other, { recursive: true }).catch(() => {});
  }
});

Deno.test("a loopback coordinator with --auth also requires the token", async () => {
  const sb = await Sandbox.create();
  const other = await Deno.makeTempDir({ prefix: "dora-auth-client-" });
  try {
    await sb.coordinator(["--auth"]);
    const missing = await runIn(sb, other, ["list"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /requires an auth token/);
    assert.equal((await sb.dora(["list"])).code, 0);
  } finally {
    await sb.cleanup();
    await Deno.remove(other, { recursive: true }).catch(() => {});
  }
});

async function runIn(
  sb: Sandbox,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
) {
  return await runDora(args, { cwd, env: { ...sb.env, ...env } });
}
