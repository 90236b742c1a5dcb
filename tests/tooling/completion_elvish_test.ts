/**
 * `dora completion elvish`: the script completes subcommands and options in a
 * real interactive elvish (in a tmux terminal).
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { runDora } from "../_support/dora.ts";

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", { args, stdin: "null" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** Polls the pane until `pattern` shows (the screen is the event). */
async function waitForScreen(
  session: string,
  pattern: RegExp,
): Promise<string> {
  const deadline = Date.now() + 30_000;
  let screen = "";
  while (Date.now() < deadline) {
    screen = await tmux("capture-pane", "-p", "-t", session);
    if (pattern.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${pattern} never showed; screen:\n${screen}`);
}

/** This Deno's cache directory. */
async function cacheDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdin: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test("dora completion elvish completes commands and options in elvish", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-elvish-" });
  const session = `dora-elvish-${Deno.pid}`;
  try {
    const script = await runDora(["completion", "elvish"]);
    assert.equal(script.code, 0, script.stderr);
    assert.match(script.stdout, /dora complete --/);
    Deno.writeTextFileSync(`${dir}/dora.elv`, script.stdout);
    const { cmd, args } = doraCommand();
    Deno.mkdirSync(`${dir}/bin`);
    // HOME is the temp dir (elvish keeps its history there): the wrapper keeps
    // the real Deno cache, or every completion would fill a new one first.
    const denoDir = await cacheDir();
    Deno.writeTextFileSync(
      `${dir}/bin/dora`,
      `#!/bin/sh\nDENO_DIR=${denoDir} exec ${[cmd, ...args].join(" ")} "$@"\n`,
      { mode: 0o755 },
    );
    const path = `${dir}/bin:${Deno.env.get("PATH")}`;
    await tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "150",
      "-y",
      "20",
      `env PATH=${path} HOME=${dir} NO_COLOR=1 elvish -norc`,
    );
    await waitForScreen(session, /[~\/].*[#>$] /);
    await tmux(
      "send-keys",
      "-t",
      session,
      `eval (slurp < ${dir}/dora.elv)`,
      "Enter",
    );
    // The script is loaded once a new prompt follows the `eval` line (keys
    // typed while elvish still evaluates it can be lost).
    await waitForScreen(session, /dora\.elv\)\s*\n.*[#>$] /);
    await tmux("send-keys", "-t", session, "dora sta", "Tab");
    const commands = await waitForScreen(session, /COMPLETING/);
    assert.match(commands, /start \(start a dataflow/);
    assert.match(commands, /status \(show the coordinator/);
    assert.doesNotMatch(commands, /\bstop\b/);
    await tmux("send-keys", "-t", session, "C-c");
    await tmux("send-keys", "-t", session, "C-u", "dora run --log-f", "Tab");
    const options = await waitForScreen(session, /--log-f(ilter|ormat) \(/);
    assert.match(options, /--log-format \(console format/);
  } finally {
    await tmux("kill-session", "-t", session);
    Deno.removeSync(dir, { recursive: true });
  }
});
