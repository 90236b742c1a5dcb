/**
 * Type checks through the commands: warnings by default, errors in strict
 * mode (`--strict-types` or `strict_types: true`), refused by `run`, codes
 * in `--format json`, and the type library listed by `dora types list`.
 *
 * @module
 */
import { equal as assertEquals, ok as assert } from "node:assert/strict";
import { ROOT, runDora } from "../helpers.ts";

const CASES = "tests/descriptor_cases";

Deno.test("dora validate reports type problems as warnings, and as errors with --strict-types", async () => {
  const path = `${CASES}/warnings_types.yml`;
  const warn = await runDora(["validate", path], { cwd: ROOT });
  assertEquals(warn.code, 0, warn.stderr);
  const message =
    'input "level" of node "sink" expects std/core/v1/Float32, but sensor/level sends std/core/v1/Float64';
  assert(warn.stderr.includes(`14:14: warning: ${message}`), warn.stderr);
  const strict = await runDora(["validate", "--strict-types", path], {
    cwd: ROOT,
  });
  assertEquals(strict.code, 1);
  assert(strict.stderr.includes(`14:14: ${message}`), strict.stderr);
  assert(strict.stderr.includes("error: "), strict.stderr);
});

Deno.test("dora validate --format json names the check of each type problem and lists inferred types", async () => {
  const bad = await runDora(
    ["validate", "--format", "json", `${CASES}/types_params_bad.yml`],
    { cwd: ROOT },
  );
  assertEquals(bad.code, 1);
  const report = JSON.parse(bad.stdout);
  assertEquals(report.valid, false);
  const codes = report.diagnostics.map((d: { code?: string }) => d.code);
  assertEquals(codes.filter((c: string) => c === "types/param").length, 4);
  const ok = await runDora(
    ["validate", "--format", "json", `${CASES}/types_inference_ok.yml`],
    { cwd: ROOT },
  );
  assertEquals(ok.code, 0, ok.stderr);
  const notes = JSON.parse(ok.stdout).diagnostics;
  assertEquals(notes.length, 1);
  assertEquals(notes[0].severity, "note");
  assertEquals(notes[0].code, "types/inferred");
  assert(notes[0].message.includes("inferred std/core/v1/Float64"));
});

Deno.test("dora run refuses a dataflow with strict_types: true and a type mismatch", async () => {
  const r = await runDora(["run", `${CASES}/types_edge_bad.yml`], {
    cwd: ROOT,
  });
  assertEquals(r.code, 1, r.stdout);
  assert(
    r.stderr.includes(
      'types_edge_bad.yml:19:14: input "level" of node "sink" expects std/core/v1/Float32',
    ),
    r.stderr,
  );
  assert(!r.stderr.includes("spawn"), r.stderr);
});

Deno.test("dora run refuses a dataflow whose types/ folder holds a malformed type file", async () => {
  const r = await runDora(
    ["run", `${CASES}/types_file_malformed/dataflow.yml`],
    { cwd: ROOT },
  );
  assertEquals(r.code, 1, r.stdout);
  assert(
    r.stderr.includes(
      'types/acme/sensors/v1.yml:5:5: unknown field "feilds" in type "Reading" (did you mean "fields"?)',
    ),
    r.stderr,
  );
});

Deno.test("dora build --strict-types fails on a type warning", async () => {
  const path = `${CASES}/warnings_types.yml`;
  const plain = await runDora(["build", "--local", path], { cwd: ROOT });
  assertEquals(plain.code, 0, plain.stderr);
  assert(plain.stderr.includes('warning: input "level"'), plain.stderr);
  const strict = await runDora(["build", "--local", "--strict-types", path], {
    cwd: ROOT,
  });
  assertEquals(strict.code, 1, strict.stderr);
  assert(strict.stderr.includes('14:14: input "level"'), strict.stderr);
});

Deno.test("dora types list shows the standard library and the dataflow's own types", async () => {
  const table = await runDora(
    ["types", "list", "examples/typed-dataflow/dataflow.yml"],
    { cwd: ROOT },
  );
  assertEquals(table.code, 0, table.stderr);
  assert(/^TYPE\s+ARROW\s+PARAMETERS\s+DESCRIPTION/.test(table.stdout));
  assert(/demo\/robot\/v1\/DriveCommand\s+Struct</.test(table.stdout));
  assert(/std\/media\/v1\/AudioFrame .*sample_type/.test(table.stdout));
  const json = await runDora(["types", "list", "--format", "json"], {
    cwd: ROOT,
  });
  assertEquals(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as { urn: string; arrow: string }[];
  assertEquals(
    rows.find((r) => r.urn === "std/core/v1/Float64")?.arrow,
    "Float64",
  );
  assertEquals(rows.some((r) => r.urn.startsWith("demo/")), false);
  const broken = await runDora(
    ["types", "list", `${CASES}/types_file_cycle/dataflow.yml`],
    { cwd: ROOT },
  );
  assertEquals(broken.code, 1);
  assert(broken.stderr.includes('type "Tree" contains itself'), broken.stderr);
});
