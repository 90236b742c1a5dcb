import assert from "node:assert/strict";
import { sameType, typeMatches } from "./type_match.ts";
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

Deno.test("sameType() compares wire types field by field", () => {
  const v = (x: string, nullable = true) => ({
    struct: [{ name: "x", dt: x, nullable }, {
      name: "l",
      dt: { large_list: { name: "item", dt: "f32", nullable: true } },
      nullable: true,
    }],
  });
  assert.equal(sameType(v("f64"), v("f64")), true);
  assert.equal(sameType(v("f64"), v("f32")), false);
  assert.equal(sameType(v("f64"), v("f64", false)), false);
  assert.equal(sameType("f64", "f64"), true);
  assert.equal(sameType("f64", v("f64")), false);
  assert.equal(
    sameType({ fixed_binary: 4 }, { fixed_binary: 8 }),
    false,
  );
});
