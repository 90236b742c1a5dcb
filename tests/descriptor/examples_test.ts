/**
 * Every example dataflow validates, and `dora graph --mermaid` draws every
 * node of it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

/** Every `examples/<name>/dataflow*.yml`. */
function exampleDataflows(): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(`${ROOT}/examples`)) {
    if (!entry.isDirectory) continue;
    for (const f of Deno.readDirSync(`${ROOT}/examples/${entry.name}`)) {
      if (/^dataflow.*\.ya?ml$/.test(f.name)) {
        found.push(`examples/${entry.name}/${f.name}`);
      }
    }
  }
  return found.sort();
}

Deno.test("dora validate passes every example", async () => {
  const examples = exampleDataflows();
  assert.ok(examples.includes("examples/module-dataflow/dataflow.yml"));
  for (const path of examples) {
    const r = await runDora(["validate", path], { cwd: ROOT });
    assert.equal(r.code, 0, `${path}:\n${r.stderr}`);
    const errors = r.stderr.split("\n").filter((l) =>
      l && !l.includes(": warning: ") && !l.includes(": note: ")
    );
    assert.deepEqual(errors, [], r.stderr);
    assert.ok(r.stdout.includes(`${path}: valid`), r.stdout);
  }
});

Deno.test("dora graph --mermaid prints every example's nodes", async () => {
  const { analyze } = await import("../../src/descriptor/mod.ts");
  for (const path of exampleDataflows()) {
    const r = await runDora(["graph", path, "--mermaid"], { cwd: ROOT });
    assert.equal(r.code, 0, `${path}:\n${r.stderr}`);
    assert.ok(r.stdout.startsWith("flowchart TB\n"), r.stdout);
    const { dataflow } = await analyze(`${ROOT}/${path}`, { skipPaths: true });
    for (const node of dataflow!.nodes) {
      // A runtime node is a box of its operators (one box for `operator:`).
      const drawn = node.kind === "runtime"
        ? r.stdout.includes(`subgraph ${node.id}\n`) ||
          r.stdout.includes(`${node.id}/op[`)
        : r.stdout.includes(`<b>${node.id}</b>`);
      assert.ok(drawn, `${path}: ${node.id}`);
    }
  }
});

Deno.test("dora expand flattens the module example", async () => {
  const r = await runDora(["expand", "examples/module-dataflow/dataflow.yml"], {
    cwd: ROOT,
  });
  assert.equal(r.code, 0, r.stderr);
  for (
    const text of [
      "id: pipeline.doubler",
      "path: modules/doubler.ts",
      "args: --factor 3",
      "data: sender/value",
      "data: pipeline.doubler/doubled",
      "filtered: pipeline.filter/filtered",
      'PARAM_MULTIPLE_OF: "2"',
    ]
  ) assert.ok(r.stdout.includes(text), `missing ${text}:\n${r.stdout}`);
  assert.ok(!r.stdout.includes("module:"), r.stdout);
});

Deno.test("dora expand --module checks a module file on its own", async () => {
  const ok = await runDora(
    [
      "expand",
      "--module",
      "examples/module-dataflow/modules/transform_module.yml",
    ],
    { cwd: ROOT },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.stdout.includes("data: _mod/raw_data"), ok.stdout);
  const bad = await runDora(
    [
      "expand",
      "--module",
      "tests/descriptor_cases/module_bad_port/pipe.module.yml",
    ],
    { cwd: ROOT },
  );
  assert.equal(bad.code, 1);
  assert.ok(
    bad.stderr.includes('declares no input "rae" (did you mean "raw"?)'),
    bad.stderr,
  );
});

Deno.test("dora validate: warnings pass, --strict-types fails, usage errors exit 2", async () => {
  const path = "tests/descriptor_cases/warnings_only.yml";
  const warn = await runDora(["validate", path], { cwd: ROOT });
  assert.equal(warn.code, 0, warn.stderr);
  assert.ok(warn.stderr.includes('warning: output "unused"'), warn.stderr);
  const strict = await runDora(["validate", "--strict-types", path], {
    cwd: ROOT,
  });
  assert.equal(strict.code, 1);
  const usage = await runDora(["validate"], { cwd: ROOT });
  assert.equal(usage.code, 2);
  assert.ok(usage.stderr.includes("Usage: dora validate"), usage.stderr);
  const missing = await runDora(["validate", "no/such/file.yml"], {
    cwd: ROOT,
  });
  assert.equal(missing.code, 1);
  assert.ok(
    missing.stderr.includes("no/such/file.yml:1:1: file not found"),
    missing.stderr,
  );
  const json = await runDora(["validate", "--format", "json", path], {
    cwd: ROOT,
  });
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.valid, true);
  assert.equal(report.diagnostics.length, 2);
});

Deno.test("dora run drives the module example end to end", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-module-" });
  try {
    // Run a copy so the example folder gets no out/ directory.
    for (const f of ["dataflow.yml", "sender.ts", "receiver.ts"]) {
      await Deno.copyFile(
        `${ROOT}/examples/module-dataflow/${f}`,
        `${dir}/${f}`,
      );
    }
    await Deno.mkdir(`${dir}/modules`);
    for (const f of ["transform_module.yml", "doubler.ts", "filter.ts"]) {
      await Deno.copyFile(
        `${ROOT}/examples/module-dataflow/modules/${f}`,
        `${dir}/modules/${f}`,
      );
    }
    const r = await runDora(["run", "dataflow.yml", "--stop-after", "30s"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout + r.stderr;
    assert.ok(out.includes("received 5 values: 6 12 18 24 30"), out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
