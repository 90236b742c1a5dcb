/**
 * The coordinator requires a bearer token (here off loopback, on 127.0.0.2):
 * none or a wrong one is refused with a clear error; the right one
 * (DORA_AUTH_TOKEN, .dora-token, or the state dir's token file) works, for
 * the CLI and for daemons.
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
  // Another user: another state dir, no token file.
  const stranger = { ...off, DORA_STATE_DIR: `${other}/state` };
  try {
    const c = await sb.coordinator(["--interface", "127.0.0.2"], off);
    assert.match(
      c.stderr,
      /auth token written to .*state\/token \(mode 0600\)/,
    );
    const token = Deno.readTextFileSync(`${sb.dir}/state/token`).trim();
    assert.match(token, /^[0-9a-f]{64}$/);

    // No token: run from a folder without .dora-token.
    const missing = await runIn(sb, other, ["list"], stranger);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /requires an auth token.*DORA_AUTH_TOKEN.*\.dora-token/,
    );
    assert.doesNotMatch(missing.stderr, /\n\s+at /);

    const wrong = await runIn(sb, other, ["list"], {
      ...stranger,
      DORA_AUTH_TOKEN: "0".repeat(64),
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the auth token/);

    const right = await runIn(sb, other, ["list"], {
      ...stranger,
      DORA_AUTH_TOKEN: token,
    });
    assert.equal(right.code, 0, right.stderr);

    // A .dora-token file in the working folder is found too.
    Deno.writeTextFileSync(`${other}/.dora-token`, token + "\n");
    assert.equal((await runIn(sb, other, ["status"], stranger)).code, 0);
    Deno.removeSync(`${other}/.dora-token`);
    // The same user's CLI and daemon read the state dir's file.
    assert.equal((await sb.dora(["status"], off)).code, 0);
    const noTokenDaemon = new Background(["daemon", "--machine-id", "X"], {
      cwd: other,
      env: { ...sb.env, ...stranger },
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

Deno.test("a stale .dora-token in the working folder does not hide the state dir's token", async () => {
  const sb = await Sandbox.create();
  try {
    // `--auth` is the default now; old scripts still pass it.
    await sb.coordinator(["--auth"]);
    sb.write(".dora-token", "0".repeat(64) + "\n");
    const r = await sb.dora(["list"]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await sb.cleanup();
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
