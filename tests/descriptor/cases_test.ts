/**
 * The corpus of broken descriptors: every `tests/descriptor_cases/<name>.yml`
 * (or `<name>/dataflow.yml` for cases with module files) must produce exactly
 * the diagnostics in `<name>.out`, and must not crash.
 *
 * Regenerate the expected files after an intended message change with
 * `UPDATE_GOLDEN=1 deno test -A tests/descriptor/cases_test.ts`, then review
 * the diff.
 *
 * @module
 */
import assert from "node:assert/strict";
import { analyze } from "../../src/descriptor/mod.ts";
import {
  formatDiagnostic,
  sortDiagnostics,
} from "../../src/descriptor/diagnostic.ts";
import { ROOT, runDora } from "../_support/dora.ts";

const DIR = `${ROOT}/tests/descriptor_cases`;
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

/** Every case: its name and the descriptor path. */
export function descriptorCases(): { name: string; path: string }[] {
  const cases: { name: string; path: string }[] = [];
  for (const entry of Deno.readDirSync(DIR)) {
    if (entry.isFile && entry.name.endsWith(".yml")) {
      cases.push({
        name: entry.name.slice(0, -4),
        path: `${DIR}/${entry.name}`,
      });
    } else if (entry.isDirectory) {
      cases.push({
        name: entry.name,
        path: `${DIR}/${entry.name}/dataflow.yml`,
      });
    }
  }
  return cases.sort((a, b) => a.name.localeCompare(b.name));
}

/** Diagnostics (and notes) of one case, with paths relative to the corpus folder. */
async function render(path: string): Promise<string> {
  const analysis = await analyze(path);
  return sortDiagnostics([...analysis.diagnostics, ...analysis.notes])
    .map((d) =>
      formatDiagnostic({
        ...d,
        file: d.file.replace(/^.*descriptor_cases\//, ""),
      })
    )
    .join("\n") + "\n";
}

Deno.test("descriptor corpus has at least 40 broken descriptors", () => {
  const broken = descriptorCases().filter((c) =>
    !c.name.startsWith("warnings") && !c.name.endsWith("_ok")
  );
  assert.ok(broken.length >= 40, `only ${broken.length} cases`);
});

for (const { name, path } of descriptorCases()) {
  Deno.test(`descriptor case ${name}`, async () => {
    const actual = await render(path);
    const expectedFile = `${DIR}/${name}.out`;
    if (UPDATE) await Deno.writeTextFile(expectedFile, actual);
    const expected = await Deno.readTextFile(expectedFile);
    assert.equal(actual, expected);
    // `<name>_ok`: no problem at all (notes allowed); `warnings…`: warnings
    // only; every other case has at least one error.
    const lines = actual.split("\n").filter((l) =>
      l && !l.includes(": note: ")
    );
    const hasError = lines.some((l) => !l.includes(": warning: "));
    if (name.endsWith("_ok")) assert.equal(lines.length, 0, lines.join("\n"));
    else assert.equal(hasError, !name.startsWith("warnings"));
  });
}

Deno.test("dora validate reports the corpus without stack traces (e2e)", async () => {
  for (
    const name of [
      "typo_node_key",
      "syntax_bad_indent",
      "module_inner_errors",
      "many_errors",
    ]
  ) {
    const c = descriptorCases().find((x) => x.name === name)!;
    const r = await runDora(["validate", c.path.slice(DIR.length + 1)], {
      cwd: DIR,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(
      !/\n\s+at /.test(r.stderr),
      `stack trace in ${name}: ${r.stderr}`,
    );
    const expected = await Deno.readTextFile(`${DIR}/${name}.out`);
    assert.ok(r.stderr.startsWith(expected), `${name}:\n${r.stderr}`);
    assert.ok(/^error: .*\d+ errors?/m.test(r.stderr), r.stderr);
  }
});
