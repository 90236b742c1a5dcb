/**
 * `dora new`: the generated Python and TypeScript projects' own tests (which
 * run them with `dora run`) pass at once; bad names, taken folders and missing
 * toolchains are clear errors that write nothing. The compiled languages are
 * in new_rust_test.ts and new_c_test.ts.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";
import { newProjectTest } from "./_new_project.ts";

newProjectTest("python", "dataflow", ["python3", "tests/test_dataflow.py"]);
newProjectTest("python", "node", ["python3", "tests/test_robot_arm.py"]);
const DENO_TEST = [Deno.execPath(), "test", "-A", "--no-prompt"] as const;
newProjectTest("typescript", "dataflow", DENO_TEST);
newProjectTest("typescript", "node", DENO_TEST);

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
