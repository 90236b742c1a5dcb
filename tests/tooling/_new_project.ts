/**
 * One end-to-end case of `dora new`: create a project, then run the test it
 * ships with (which runs the project's dataflow with `dora run`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { runDora } from "../_support/dora.ts";

/** The dora command line as the generated tests read it from `DORA`. */
function doraEnv(): string {
  const { cmd, args } = doraCommand();
  return [cmd, ...args].join(" ");
}

/** Registers "dora new --kind KIND --lang LANG creates a project whose test passes". */
export function newProjectTest(
  lang: string,
  kind: "dataflow" | "node",
  test: readonly string[],
): void {
  Deno.test(`dora new --kind ${kind} --lang ${lang} creates a project whose test passes`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "dora-new-" });
    try {
      const created = await runDora(
        ["new", "robot-arm", "--kind", kind, "--lang", lang],
        { cwd: dir },
      );
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /created .* robot-arm in robot-arm\//);
      const project = `${dir}/robot-arm`;
      assert.match(
        Deno.readTextFileSync(`${project}/README.md`),
        /dora run .*dataflow\.yml/,
      );
      const [cmd, ...args] = test;
      const out = await new Deno.Command(cmd!, {
        args,
        cwd: project,
        env: { DORA: doraEnv(), NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout) +
        new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
