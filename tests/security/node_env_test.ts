/**
 * A node's environment is what its descriptor gives it plus the runtime's
 * own variables and the machine basics (PATH, HOME, locale, …): never the
 * runner's secrets (DORA_AUTH_TOKEN, cloud keys, the SSH agent), under
 * `dora run` and under a daemon alike.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";

/** Prints its whole environment as one JSON line, then exits. */
const PRINT_ENV = `import json, os
from dora import Node
node = Node()
print("ENV " + json.dumps(dict(os.environ)), flush=True)
`;

const DATAFLOW = `
env:
  FROM_DATAFLOW: "1"
nodes:
  - id: printer
    path: print_env.py
    env:
      FROM_NODE: "2"
      PASSED_ON: $MY_SHELL_VAR
`;

/** What the runner's environment holds besides the basics. */
const RUNNER_ENV = {
  DORA_AUTH_TOKEN: "f".repeat(64),
  AWS_SECRET_ACCESS_KEY: "secret-key",
  SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
  MY_SHELL_VAR: "from-the-shell",
  LC_ALL: "C.UTF-8",
};

function checkEnv(env: Record<string, string>): void {
  for (
    const name of [
      "DORA_AUTH_TOKEN",
      "AWS_SECRET_ACCESS_KEY",
      "SSH_AUTH_SOCK",
      "MY_SHELL_VAR",
    ]
  ) {
    assert.equal(env[name], undefined, `${name} reached the node`);
  }
  assert.equal(env.FROM_DATAFLOW, "1");
  assert.equal(env.FROM_NODE, "2");
  assert.equal(env.PASSED_ON, "from-the-shell");
  assert.equal(env.LC_ALL, "C.UTF-8");
  assert.ok(env.PATH, "PATH");
  assert.ok(env.HOME, "HOME");
  assert.ok(env.DORA_NODE_CONFIG, "DORA_NODE_CONFIG");
}

function envLine(text: string): Record<string, string> | undefined {
  const at = text.indexOf("ENV {");
  if (at < 0) return undefined;
  const line = text.slice(at + 4).split("\n")[0]!;
  // From a log record the line is JSON inside JSON.
  try {
    return JSON.parse(line);
  } catch {
    return JSON.parse(JSON.parse(`"${line.replace(/"}$/, "")}"`));
  }
}

Deno.test("dora run gives a node only its descriptor env, the runtime's and the machine basics", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-env-" });
  try {
    Deno.writeTextFileSync(`${dir}/print_env.py`, PRINT_ENV);
    Deno.writeTextFileSync(`${dir}/dataflow.yml`, DATAFLOW);
    const r = await runDora(["run", "dataflow.yml", "--stop-after", "30s"], {
      cwd: dir,
      env: RUNNER_ENV,
    });
    assert.equal(r.code, 0, r.stderr);
    const env = envLine(r.stdout + r.stderr);
    assert.ok(env, r.stdout + r.stderr);
    checkEnv(env);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a daemon's node never sees the daemon's DORA_AUTH_TOKEN", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    const token = Deno.readTextFileSync(`${sb.dir}/state/token`).trim();
    await sb.daemon([], { ...RUNNER_ENV, DORA_AUTH_TOKEN: token });
    sb.write("print_env.py", PRINT_ENV);
    const file = sb.write("dataflow.yml", DATAFLOW);
    const start = await sb.dora(["start", file, "--detach"], {
      MY_SHELL_VAR: "from-the-shell",
    });
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    const log = `${sb.dir}/out/${uuid}/log_printer.jsonl`;
    const env = await waitUntil(() => {
      const text = readOrEmpty(log);
      if (!text.includes("ENV {")) return undefined;
      return JSON.parse(
        JSON.parse(text.split("\n").find((l) => l.includes("ENV {"))!).msg
          .slice(4),
      ) as Record<string, string>;
    }, "the node's environment in its log");
    assert.equal(env.DORA_AUTH_TOKEN, undefined, "the token reached the node");
    assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
    assert.equal(env.FROM_NODE, "2");
    // `$VAR` is expanded where the descriptor is loaded (the CLI).
    assert.equal(env.PASSED_ON, "from-the-shell");
  } finally {
    await sb.cleanup();
  }
});
