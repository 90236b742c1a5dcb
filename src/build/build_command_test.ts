import assert from "node:assert/strict";
import { buildLines, runBuildCommand } from "./build_command.ts";
import { BuildError } from "./build_error.ts";

Deno.test("buildLines() splits lines, skips blanks and comments", () => {
  assert.deepEqual(buildLines("echo a\n\n  # note\n echo b \n"), [
    "echo a",
    "echo b",
  ]);
});

Deno.test("buildLines() runs pip and pip3 through uv pip under uv", () => {
  assert.deepEqual(
    buildLines("pip install -e .\npip3 install numpy\npipx x", "/opt/uv"),
    ["/opt/uv pip install -e .", "/opt/uv pip install numpy", "pipx x"],
  );
  assert.deepEqual(buildLines("pip install x"), ["pip install x"]);
});

Deno.test("runBuildCommand() runs each line in the folder with the env", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const lines: string[] = [];
    await runBuildCommand("echo $GREETING > out.txt\ncat out.txt", {
      node: "n",
      cwd: dir,
      env: { GREETING: "hello" },
      onLine: (l) => lines.push(l),
    });
    assert.deepEqual(lines, [
      "$ echo $GREETING > out.txt",
      "$ cat out.txt",
      "hello",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("runBuildCommand() stops at the failing line and names it with the last output", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await assert.rejects(
      runBuildCommand(
        "echo first\necho oops >&2; exit 3\ntouch never",
        { node: "cam", cwd: dir, env: {}, onLine: () => {} },
      ),
      (err) => {
        assert.ok(err instanceof BuildError);
        assert.equal(err.node, "cam");
        assert.match(
          err.message,
          /node "cam": build command "echo oops >&2; exit 3" exited with code 3/,
        );
        assert.deepEqual(err.tail, ["oops"]);
        return true;
      },
    );
    assert.throws(() => Deno.statSync(`${dir}/never`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
