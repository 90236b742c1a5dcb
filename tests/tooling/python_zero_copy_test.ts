/**
 * The original dora's `python-zero-copy-send` example, run unchanged
 * (fixtures/python-zero-copy-send, copied from dora-rs/dora): the sender's two
 * `send_output_raw` patterns reach the receiver, and the contract test of the
 * `Sample` API passes, all eleven cases: on this machine's `python3` (3.11: the
 * buffer is the C type of `dora/_native.py`, compiled on first use) and on a
 * Python >= 3.12 when there is one (the buffer exports itself, PEP 688).
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const FIXTURE = `${ROOT}/tests/tooling/fixtures/python-zero-copy-send`;

function copyFixture(): string {
  const dir = Deno.makeTempDirSync({ prefix: "dora-zero-copy-" });
  for (const f of Deno.readDirSync(FIXTURE)) {
    if (f.isFile) Deno.copyFileSync(`${FIXTURE}/${f.name}`, `${dir}/${f.name}`);
  }
  return dir;
}

/** A Python >= 3.12 with pyarrow and numpy, if this machine has one. */
async function modernPython(): Promise<string | undefined> {
  const candidates = ["python3.13", "python3.12"];
  const home = Deno.env.get("HOME") ?? "/root";
  try {
    for (const v of Deno.readDirSync(`${home}/.pyenv/versions`)) {
      if (/^3\.(1[2-9])/.test(v.name)) {
        candidates.push(`${home}/.pyenv/versions/${v.name}/bin/python3`);
      }
    }
  } catch {
    // no pyenv
  }
  for (const python of candidates) {
    try {
      const out = await new Deno.Command(python, {
        args: [
          "-c",
          "import sys, pyarrow, numpy; assert sys.version_info >= (3, 12)",
        ],
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.code === 0) return python;
    } catch {
      // not installed
    }
  }
  return undefined;
}

Deno.test("the original's python-zero-copy-send example runs unchanged", async () => {
  const dir = copyFixture();
  try {
    const r = await runDora(["run", "dataflow.yml", "--allow-shell-nodes"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /sender: tick 10\/10: sent large_output \+ rgb_image/,
    );
    assert.match(r.stderr, /receiver: \[10\] large_output: 65536 bytes/);
    assert.match(
      r.stderr,
      /receiver: \[10\] rgb_image: 10000 pixels \(100x100\), first pixel RGB\(10, 64, 128\)/,
    );
    assert.match(
      r.stderr,
      /receiver: STOP — received 10 large_output \+ 10 rgb_image/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** The original's contract cases, in its order. */
const CASES = [
  "case_happy_path_context_manager",
  "case_happy_path_manual",
  "case_send_while_view_open_errors",
  "case_view_after_send_raises_buffer_error",
  "case_double_send_errors",
  "case_as_buffer_is_idempotent",
  "case_as_memoryview_returns_fresh_view",
  "case_access_after_send_raises_runtime_error",
  "case_buffer_outlives_dropped_handler_safely",
  "case_exit_with_exception_does_not_send",
  "case_send_refused_when_numpy_view_outlives_context",
];

Deno.test("the original's zero-copy contract test passes on this machine's python3", async () => {
  const dir = copyFixture();
  try {
    // A cache of its own: the buffer type is compiled by this run.
    const r = await runDora([
      "run",
      "contract_dataflow.yml",
      "--allow-shell-nodes",
    ], {
      cwd: dir,
      env: { DORA_CACHE_DIR: `${dir}/cache` },
    });
    assert.equal(r.code, 0, r.stderr);
    for (const name of CASES) {
      assert.match(r.stderr, new RegExp(`contract: PASS  ${name}\\n`));
    }
    assert.match(r.stderr, /11\/11 contract cases passed/);
    assert.doesNotMatch(r.stderr, /cannot track the views/);
    // Below 3.12 the node compiled the C type into the cache it was given.
    const modern = await new Deno.Command("python3", {
      args: ["-c", "import sys; sys.exit(sys.version_info < (3, 12))"],
    }).output();
    if (!modern.success) {
      const built = [...Deno.readDirSync(`${dir}/cache/python`)].flatMap((d) =>
        [...Deno.readDirSync(`${dir}/cache/python/${d.name}`)].map((f) =>
          f.name
        )
      );
      assert.equal(built.length, 1, JSON.stringify(built));
      assert.match(built[0]!, /^_sample_buffer-[0-9a-f]{16}\..*\.so$/);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the original's zero-copy contract test passes in full on Python >= 3.12", async (t) => {
  const python = await modernPython();
  if (!python) {
    await t.step({
      name: "no Python >= 3.12 with pyarrow on this machine",
      ignore: true,
      fn() {},
    });
    return;
  }
  const dir = copyFixture();
  try {
    Deno.mkdirSync(`${dir}/bin`);
    Deno.symlinkSync(python, `${dir}/bin/python3`);
    const r = await runDora(["run", "contract_dataflow.yml", "--no-build"], {
      cwd: dir,
      env: { PATH: `${dir}/bin:${Deno.env.get("PATH")}` },
    });
    assert.equal(r.code, 0, r.stderr);
    for (const name of CASES) {
      assert.match(r.stderr, new RegExp(`contract: PASS  ${name}\\n`));
    }
    assert.match(r.stderr, /11\/11 contract cases passed/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
