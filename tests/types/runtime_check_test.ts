/**
 * Runtime type checks in the TypeScript and Python node APIs, both modes:
 * `warn` logs once per port and type and lets the data through; `error`
 * makes the sender's send fail and turns a mistyped arrival into an ERROR
 * event, each message naming the node, the port, the expected and the
 * actual type. Through `dora run` (flag and environment variable) and
 * `dora start`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";
import { ROOT, runDora } from "../_support/dora.ts";

const FIXTURE = "tests/types/fixtures/runtime_check";
const SENT = (node: string) =>
  `node "${node}": output "typed" is typed std/core/v1/Float32 (Float32), but the data sent is Float64`;
const RECEIVED = (node: string, input: string, from: string) =>
  `node "${node}": input "${input}" (from ${from}) is typed std/core/v1/Float32, but received Float64`;
const INPUTS = [
  ["a", "ts_src/typed"],
  ["b", "ts_src/untyped"],
  ["c", "py_src/typed"],
  ["d", "py_src/untyped"],
];

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

Deno.test("dora run --type-check warn logs each mismatch once per port and lets the data through", async () => {
  const r = await runDora(
    ["run", `${FIXTURE}/dataflow.yml`, "--type-check", "warn"],
    { cwd: ROOT },
  );
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  for (const node of ["ts_src", "py_src"]) {
    assert.equal(count(out, `runtime type check: ${SENT(node)}`), 1, out);
  }
  for (const sink of ["ts_sink", "py_sink"]) {
    for (const [input, from] of INPUTS) {
      assert.equal(
        count(out, `runtime type check: ${RECEIVED(sink, input, from)}`),
        1,
        out,
      );
    }
    assert.match(out, new RegExp(`${sink}: inputs a=6 b=3 c=6 d=3 errors=0`));
  }
  assert.doesNotMatch(out, /refused:/);
});

Deno.test("dora run --type-check error fails mistyped sends and turns mistyped arrivals into ERROR events", async () => {
  const r = await runDora(
    ["run", `${FIXTURE}/dataflow.yml`, "--type-check", "error"],
    { cwd: ROOT },
  );
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  for (const node of ["ts_src", "py_src"]) {
    assert.equal(count(out, `${node}: refused: ${SENT(node)}`), 3, out);
  }
  for (const sink of ["ts_sink", "py_sink"]) {
    for (
      const [input, from] of INPUTS.filter(([i]) => i === "b" || i === "d")
    ) {
      assert.ok(
        out.includes(`${sink}: error event: ${RECEIVED(sink, input, from)}`),
        out,
      );
    }
    // Only the Float32 messages reached the typed inputs.
    assert.match(out, new RegExp(`${sink}: inputs a=3 b=0 c=3 d=0 errors=6`));
  }
});

Deno.test("DORA_RUNTIME_TYPE_CHECK turns the checks on; --type-check off overrides it", async () => {
  const on = await runDora(["run", `${FIXTURE}/dataflow.yml`], {
    cwd: ROOT,
    env: { DORA_RUNTIME_TYPE_CHECK: "error" },
  });
  assert.equal(on.code, 0, on.stderr);
  assert.match(
    on.stdout + on.stderr,
    /ts_sink: inputs a=3 b=0 c=3 d=0 errors=6/,
  );
  const off = await runDora(
    ["run", `${FIXTURE}/dataflow.yml`, "--type-check", "off"],
    { cwd: ROOT, env: { DORA_RUNTIME_TYPE_CHECK: "error" } },
  );
  const out = off.stdout + off.stderr;
  assert.equal(off.code, 0, out);
  assert.match(out, /py_sink: inputs a=6 b=3 c=6 d=3 errors=0/);
  assert.doesNotMatch(out, /runtime type check|refused:/);
  const bad = await runDora(["run", `${FIXTURE}/dataflow.yml`], {
    cwd: ROOT,
    env: { DORA_RUNTIME_TYPE_CHECK: "maybe" },
  });
  assert.equal(bad.code, 0, bad.stderr);
  assert.ok(
    bad.stderr.includes(
      'warning: unknown DORA_RUNTIME_TYPE_CHECK value "maybe" (expected warn or error): runtime type checks are off',
    ),
    bad.stderr,
  );
});

Deno.test("dora start --type-check error checks the nodes on the daemons", async () => {
  const sb = await Sandbox.create();
  try {
    for (
      const f of [
        "dataflow.yml",
        "source.ts",
        "source.py",
        "sink.ts",
        "sink.py",
      ]
    ) {
      await Deno.copyFile(`${ROOT}/${FIXTURE}/${f}`, `${sb.dir}/${f}`);
    }
    await sb.coordinator();
    await sb.daemon();
    const r = await sb.dora([
      "start",
      "dataflow.yml",
      "--attach",
      "--type-check",
      "error",
    ]);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    assert.ok(out.includes(`refused: ${SENT("py_src")}`), out);
    assert.match(out, /ts_sink: inputs a=3 b=0 c=3 d=0 errors=6/);
  } finally {
    await sb.cleanup();
  }
});
