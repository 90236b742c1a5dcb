/**
 * Type checks through the commands: warnings by default, errors in strict
 * mode (`--strict-types` or `strict_types: true`), refused by `run`, codes
 * in `--format json`, and the type library listed by `dora types list`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const CASES = "tests/descriptor_cases";

Deno.test("dora validate reports type problems as warnings, and as errors with --strict-types", async () => {
  const path = `${CASES}/warnings_types.yml`;
  const warn = await runDora(["validate", path], { cwd: ROOT });
  assert.equal(warn.code, 0, warn.stderr);
  const message =
    'input "level" of node "sink" expects std/core/v1/Float32, but sensor/level sends std/core/v1/Float64';
  assert.ok(warn.stderr.includes(`14:14: warning: ${message}`), warn.stderr);
  const strict = await runDora(["validate", "--strict-types", path], {
    cwd: ROOT,
  });
  assert.equal(strict.code, 1);
  assert.ok(strict.stderr.includes(`14:14: ${message}`), strict.stderr);
  assert.ok(strict.stderr.includes("error: "), strict.stderr);
});

Deno.test("dora validate --format json names the check of each type problem and lists inferred types", async () => {
  const bad = await runDora(
    ["validate", "--format", "json", `${CASES}/types_params_bad.yml`],
    { cwd: ROOT },
  );
  assert.equal(bad.code, 1);
  const report = JSON.parse(bad.stdout);
  assert.equal(report.valid, false);
  const codes = report.diagnostics.map((d: { code?: string }) => d.code);
  assert.equal(codes.filter((c: string) => c === "types/param").length, 4);
  const ok = await runDora(
    ["validate", "--format", "json", `${CASES}/types_inference_ok.yml`],
    { cwd: ROOT },
  );
  assert.equal(ok.code, 0, ok.stderr);
  const notes = JSON.parse(ok.stdout).diagnostics;
  assert.equal(notes.length, 1);
  assert.equal(notes[0].severity, "note");
  assert.equal(notes[0].code, "types/inferred");
  assert.ok(notes[0].message.includes("inferred std/core/v1/Float64"));
});

Deno.test("dora run refuses a dataflow with strict_types: true and a type mismatch", async () => {
  const r = await runDora(["run", `${CASES}/types_edge_bad.yml`], {
    cwd: ROOT,
  });
  assert.equal(r.code, 1, r.stdout);
  assert.ok(
    r.stderr.includes(
      'types_edge_bad.yml:19:14: input "level" of node "sink" expects std/core/v1/Float32',
    ),
    r.stderr,
  );
  assert.ok(!r.stderr.includes("spawn"), r.stderr);
});

Deno.test("dora run refuses a dataflow whose types/ folder holds a malformed type file", async () => {
  const r = await runDora(
    ["run", `${CASES}/types_file_malformed/dataflow.yml`],
    { cwd: ROOT },
  );
  assert.equal(r.code, 1, r.stdout);
  assert.ok(
    r.stderr.includes(
      'types/acme/sensors/v1.yml:5:5: unknown field "feilds" in type "Reading" (did you mean "fields"?)',
    ),
    r.stderr,
  );
});

Deno.test("dora build --strict-types fails on a type warning", async () => {
  const path = `${CASES}/warnings_types.yml`;
  const plain = await runDora(["build", "--local", path], { cwd: ROOT });
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(plain.stderr.includes('warning: input "level"'), plain.stderr);
  const strict = await runDora(["build", "--local", "--strict-types", path], {
    cwd: ROOT,
  });
  assert.equal(strict.code, 1, strict.stderr);
  assert.ok(strict.stderr.includes('14:14: input "level"'), strict.stderr);
});

Deno.test("dora types list shows the standard library and the dataflow's own types", async () => {
  const table = await runDora(
    ["types", "list", "examples/typed-dataflow/dataflow.yml"],
    { cwd: ROOT },
  );
  assert.equal(table.code, 0, table.stderr);
  assert.ok(/^TYPE\s+ARROW\s+PARAMETERS\s+DESCRIPTION/.test(table.stdout));
  assert.ok(/demo\/robot\/v1\/DriveCommand\s+Struct</.test(table.stdout));
  assert.ok(/std\/media\/v1\/AudioFrame .*sample_type/.test(table.stdout));
  const json = await runDora(["types", "list", "--format", "json"], {
    cwd: ROOT,
  });
  assert.equal(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { urn: string; arrow: string }[];
  assert.equal(
    rows.find((r) => r.urn === "std/core/v1/Float64")?.arrow,
    "Float64",
  );
  assert.equal(rows.some((r) => r.urn.startsWith("demo/")), false);
  const broken = await runDora(
    ["types", "list", `${CASES}/types_file_cycle/dataflow.yml`],
    { cwd: ROOT },
  );
  assert.equal(broken.code, 1);
  assert.ok(
    broken.stderr.includes('type "Tree" contains itself'),
    broken.stderr,
  );
});
