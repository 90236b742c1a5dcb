/**
 * `build:` commands run in a shell, so a descriptor from elsewhere cannot run
 * them just by being started: `dora run` and `dora build` need
 * `--allow-shell-nodes`, or a "yes" on a terminal, which is remembered for
 * that file and those commands (a changed command asks again).
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { runDora } from "../_support/dora.ts";

const NODE = `from dora import Node
node = Node()
`;

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function project(build: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dora-build-gate-" });
  Deno.writeTextFileSync(`${dir}/node.py`, NODE);
  Deno.writeTextFileSync(
    `${dir}/dataflow.yml`,
    `nodes:\n  - id: cam\n    path: node.py\n    build: ${build}\n`,
  );
  return dir;
}

Deno.test("dora run and dora build refuse build: commands without --allow-shell-nodes off a terminal", async () => {
  const dir = await project("touch built.txt");
  const env = { DORA_STATE_DIR: `${dir}/state`, DORA_ALLOW_SHELL_NODES: "" };
  try {
    for (
      const args of [["run", "dataflow.yml"], [
        "build",
        "dataflow.yml",
        "--local",
      ]]
    ) {
      const r = await runDora(args, { cwd: dir, env });
      assert.equal(r.code, 1, `${args}: ${r.stderr}`);
      assert.match(r.stderr, /dataflow\.yml runs build commands in a shell/);
      assert.match(r.stderr, /node "cam": `touch built\.txt`/);
      assert.match(r.stderr, /--allow-shell-nodes/);
      assert.equal(exists(`${dir}/built.txt`), false, args.join(" "));
    }
    const ok = await runDora(
      ["build", "dataflow.yml", "--local", "--allow-shell-nodes"],
      { cwd: dir, env },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(exists(`${dir}/built.txt`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", { args, stdin: "null" }).output();
  return new TextDecoder().decode(out.stdout);
}

async function waitForScreen(session: string, re: RegExp): Promise<string> {
  const deadline = Date.now() + 60_000;
  let screen = "";
  while (Date.now() < deadline) {
    screen = await tmux("capture-pane", "-p", "-J", "-t", session);
    if (re.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${re} never showed; screen:\n${screen}`);
}

Deno.test("dora build asks on a terminal once, and asks again when a command changes", async () => {
  const dir = await project("touch built.txt");
  const env = { DORA_STATE_DIR: `${dir}/state`, DORA_ALLOW_SHELL_NODES: "" };
  const session = `dora-build-gate-${Deno.pid}`;
  try {
    const { cmd, args } = doraCommand();
    const line = [
      `cd ${dir} &&`,
      `env DORA_STATE_DIR=${dir}/state DORA_ALLOW_SHELL_NODES= NO_COLOR=1`,
      cmd,
      ...args,
      "build dataflow.yml --local; echo exit=$?; sleep 600",
    ].join(" ");
    await tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "200",
      "-y",
      "40",
      line,
    );
    const question = await waitForScreen(session, /\[y\/N\]/);
    assert.match(question, /runs these build commands in a shell/);
    assert.match(question, /cam: touch built\.txt/);
    await tmux("send-keys", "-t", session, "y", "Enter");
    await waitForScreen(session, /exit=0/);
    assert.ok(exists(`${dir}/built.txt`));

    // Trusted now: no terminal needed for the same commands.
    Deno.removeSync(`${dir}/built.txt`);
    const again = await runDora(["build", "dataflow.yml", "--local"], {
      cwd: dir,
      env,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(exists(`${dir}/built.txt`));

    // A changed command is a new question.
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: cam\n    path: node.py\n    build: touch other.txt\n",
    );
    const changed = await runDora(["build", "dataflow.yml", "--local"], {
      cwd: dir,
      env,
    });
    assert.equal(changed.code, 1, changed.stderr);
    assert.equal(exists(`${dir}/other.txt`), false);
  } finally {
    await tmux("kill-session", "-t", session);
    await Deno.remove(dir, { recursive: true });
  }
});
