/**
 * `dora new`: the generated projects run with `dora run` and their own tests
 * pass at once; bad names, taken folders and missing toolchains are clear
 * errors that write nothing.
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { runDora } from "../_support/dora.ts";

/** The dora command line as the generated tests read it from `DORA`. */
function doraEnv(): string {
  const { cmd, args } = doraCommand();
  return [cmd, ...args].join(" ");
}

async function run(cmd: string, args: string[], cwd: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { DORA: doraEnv(), NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

for (
  const [lang, kind, test] of [
    ["python", "dataflow", ["python3", "tests/test_dataflow.py"]],
    ["python", "node", ["python3", "tests/test_robot_arm.py"]],
    ["typescript", "dataflow", [Deno.execPath(), "test", "-A", "--no-prompt"]],
    ["typescript", "node", [Deno.execPath(), "test", "-A", "--no-prompt"]],
    ["rust", "dataflow", ["cargo", "test", "--quiet", "--offline"]],
    ["rust", "node", ["cargo", "test", "--quiet", "--offline"]],
    ["c", "dataflow", ["sh", "test.sh"]],
    ["c", "node", ["sh", "test.sh"]],
    ["cxx", "dataflow", ["sh", "test.sh"]],
    ["cxx", "node", ["sh", "test.sh"]],
  ] as const
) {
  Deno.test(`dora new --kind ${kind} --lang ${lang} creates a project whose test passes`, async () => {
    const dir = Deno.makeTempDirSync();
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
      const yml = kind === "dataflow" ? "dataflow.yml" : "tests/dataflow.yml";
      const ran = await runDora(["run", yml], { cwd: project });
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(
        ran.stderr,
        kind === "dataflow"
          ? /listener: 5 greetings in all/
          : /checker got \[1, 2, 3\]/,
      );
      const [cmd, ...args] = test;
      const tested = await run(cmd, args, project);
      assert.equal(tested.code, 0, tested.text);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("dora new refuses a bad name with a usage error and writes nothing", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const name of ["my.robot", "2fast", "robot-", "build"]) {
      const r = await runDora(["new", name, "--lang", "python"], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `error: invalid dataflow name "${name.replace(".", "\\.")}"`,
        ),
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora new refuses a folder that is not empty", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/robot`);
    Deno.writeTextFileSync(`${dir}/robot/keep.txt`, "mine");
    const r = await runDora(["new", "robot", "--lang", "typescript"], {
      cwd: dir,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: .*\/robot already exists and is not empty/);
    assert.deepEqual([...Deno.readDirSync(`${dir}/robot`)].map((e) => e.name), [
      "keep.txt",
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["robot"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora new names the missing toolchain of a compiled language", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // A PATH with no compilers at all.
    const r = await runDora(["new", "robot", "--lang", "c"], {
      cwd: dir,
      env: { PATH: dir },
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /error: a c project needs "cc" or "gcc" or "clang", which is not on PATH/,
    );
    assert.match(r.stderr, /install a C compiler/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
