import assert from "node:assert/strict";
import { typeMatches } from "./type_match.ts";
import type { DataTypeSpec } from "./layout_types.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(
    new URL("../../tests/protocol_vectors/type_match.json", import.meta.url),
  ),
) as {
  cases: {
    expected: DataTypeSpec;
    actual: DataTypeSpec;
    raw_bytes?: boolean;
    match: boolean;
  }[];
};

Deno.test("typeMatches() passes the shared type-match vectors", () => {
  for (const c of vectors.cases) {
    assert.equal(
      typeMatches(c.expected, c.actual, c.raw_bytes === true),
      c.match,
      JSON.stringify(c),
    );
  }
});
