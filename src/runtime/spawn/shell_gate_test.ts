import assert from "node:assert/strict";
import { shellReason } from "./shell_gate.ts";

Deno.test("shellReason() names shells, inline code and launchers", () => {
  assert.equal(
    shellReason("/usr/bin/dash", ["-c", "make"]),
    "runs the shell dash",
  );
  assert.equal(shellReason("bash", ["build.sh"]), "runs the shell bash");
  assert.equal(
    shellReason("/usr/bin/python3.11", ["-u", "-c", "print(1)"]),
    "gives python3.11 code inline (-c)",
  );
  assert.equal(
    shellReason("/usr/bin/env", ["FOO=1", "-i", "sh", "-c", "x"]),
    "env runs the shell sh",
  );
  assert.equal(
    shellReason("uv", ["run", "--with", "x", "python", "-c", "x"]),
    "uv gives python code inline (-c)",
  );
  assert.equal(
    shellReason("uv", ["run", "python", "-c", "x"]),
    "uv gives python code inline (-c)",
  );
  assert.equal(
    shellReason("deno", ["eval", "1"]),
    "gives deno code inline (eval)",
  );
  assert.equal(shellReason("awk", ["BEGIN{}"]), "gives awk its program inline");
});

Deno.test("shellReason() lets programs and scripts through", () => {
  assert.equal(
    shellReason("/usr/bin/python3", ["node.py", "-c", "x"]),
    undefined,
  );
  assert.equal(shellReason("/opt/robot/camera", ["--fps", "30"]), undefined);
  assert.equal(shellReason("./run.sh", []), undefined);
  assert.equal(shellReason("/usr/bin/env", []), undefined);
});
