import assert from "node:assert/strict";
import { analyze } from "./load.ts";

const ODD_INPUTS = [
  "nodes: {a: 1}",
  "nodes: [1, 'x', null, []]",
  "nodes:\n  - id: a\n    path: dynamic\n    inputs: [a/b]",
  "nodes:\n  - id: a\n    path: dynamic\n    env: null",
  "nodes:\n  - &x {id: a, path: dynamic}\n  - *x",
  "a: &a [*a]",
  "nodes:\n  - id: a\n    operators: {}\n",
  "nodes:\n  - id: a\n    operator: {}\n",
  "nodes:\n  - id: a\n    module: .\n",
  "nodes:\n  - id: a\n    module: ''\n",
  "nodes:\n  - id: a\n    path: dynamic\n    max_log_size: 1e400\n",
  "!!binary aGVsbG8=",
  "%YAML 1.2\n---\nnodes: []\n---\nnodes: []\n",
  "\u0000\u0001",
  "nodes:\n  - id: a\n    path: dynamic\n    inputs:\n      i: _mod/x\n",
  "nodes:\n  - id: a\n    path: dynamic\n    __proto__: {x: 1}\n",
  "nodes:\n  - id: constructor\n    path: dynamic\n    inputs:\n      toString: constructor/hasOwnProperty\n",
  "nodes:\n  - id: a\n    path: dynamic\n    max_log_size: 5constructor\n",
  "nodes:\n  - id: m\n    module: x.yml\n    inputs:\n      toString: a/b\n",
];

Deno.test("analyze() reports odd input as diagnostics and never throws", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [i, text] of ODD_INPUTS.entries()) {
      const file = `${dir}/case${i}.yml`;
      await Deno.writeTextFile(file, text);
      const analysis = await analyze(file);
      assert.ok(
        analysis.diagnostics.some((d) => d.severity === "error"),
        `no error for ${JSON.stringify(text)}`,
      );
      for (const d of analysis.diagnostics) {
        assert.ok(d.line >= 1 && d.column >= 1, JSON.stringify(d));
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyze() rotates node logs at 50 MiB by default; max_log_size 0 never rotates", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/d.yml`,
      "nodes:\n  - id: a\n    path: dynamic\n  - id: b\n    path: dynamic\n    max_log_size: 0\n  - id: c\n    path: dynamic\n    max_log_size: 1KB\n",
    );
    const { dataflow } = await analyze(`${dir}/d.yml`);
    assert.deepEqual(dataflow?.nodes.map((n) => n.maxLogSize), [
      50 * 1024 * 1024,
      undefined,
      1024,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
