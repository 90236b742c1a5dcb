/**
 * docs/types.md documents the standard library from its data files: the part
 * between the markers is generated, so this test fails when a type file
 * changes and the page does not. Regenerate with
 * `UPDATE_GOLDEN=1 deno test -A tests/types/docs_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { loadTypeLibrary } from "../../src/descriptor/types/mod.ts";
import {
  DOC_BEGIN,
  DOC_END,
  libraryReference,
} from "../../src/descriptor/types/library_doc.ts";
import { STD_FILES } from "../../src/descriptor/types/std.ts";
import { ROOT } from "../_support/dora.ts";

const DOC = `${ROOT}/docs/types.md`;

/** Markdown without the layout `deno fmt` adds (table padding, line wraps). */
function normalize(text: string): string {
  return text.split(/\n\s*\n/).map((block) =>
    block.split("\n").map((l) => l.trim()).join(
      block.trimStart().startsWith("|") ? "\n" : " ",
    )
      .replace(/ {2,}/g, " ")
      .replace(/\| -+ /g, "| --- ")
      .replace(/ -+ \|/g, " --- |")
      .replace(/\|-+\|/g, "| --- |")
  ).join("\n\n").trim();
}

Deno.test("docs/types.md lists every standard type as the data files define it", async () => {
  const doc = await Deno.readTextFile(DOC);
  const begin = doc.indexOf(DOC_BEGIN);
  const end = doc.indexOf(DOC_END);
  assert.ok(begin >= 0 && end > begin, "markers missing in docs/types.md");
  const { library, diagnostics } = await loadTypeLibrary(`${ROOT}/nonexistent`);
  assert.equal(diagnostics.length, 0);
  const generated = libraryReference(library);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(
      DOC,
      `${doc.slice(0, begin + DOC_BEGIN.length)}\n\n${generated}\n${
        doc.slice(end)
      }`,
    );
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", DOC],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(fmt.code, 0);
    return;
  }
  assert.equal(
    normalize(doc.slice(begin + DOC_BEGIN.length, end)),
    normalize(generated),
    "docs/types.md is out of date: UPDATE_GOLDEN=1 deno test -A tests/types/docs_test.ts",
  );
  for (const { pkg } of STD_FILES) {
    assert.ok(doc.includes(`### \`${pkg}\``), pkg);
  }
});
