import assert from "node:assert/strict";
import type { Diagnostic } from "../diagnostic.ts";
import { SourceFile } from "../source.ts";
import { TypeLibrary } from "./library.ts";
import { stdPackages } from "./std.ts";
import { parseTypeFile } from "./type_file.ts";

function library(text = "types: {}\n", pkg = "acme/geo/v1") {
  const diagnostics: Diagnostic[] = [];
  const user = parseTypeFile(
    new SourceFile("t.yml", "/t.yml", text),
    pkg,
    diagnostics,
  );
  const lib = TypeLibrary.build([...stdPackages().packages, user], diagnostics);
  return { lib, diagnostics };
}

Deno.test("stdPackages() loads every standard type without a problem", () => {
  const { packages, diagnostics } = stdPackages();
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(packages.map((p) => p.pkg), [
    "std/core/v1",
    "std/math/v1",
    "std/control/v1",
    "std/media/v1",
    "std/vision/v1",
  ]);
  const { lib, diagnostics: built } = library();
  assert.deepEqual(built, []);
  for (const urn of lib.urns()) {
    assert.ok(lib.dataType(urn), `${urn} has no data type`);
  }
});

Deno.test("TypeLibrary.dataType() builds structs field by field, lists as large lists", () => {
  const { lib } = library();
  assert.deepEqual(lib.dataType("std/core/v1/String"), "utf8");
  assert.deepEqual(lib.dataType("std/math/v1/Vector3"), {
    struct: ["x", "y", "z"].map((name) => ({
      name,
      dt: "f64",
      nullable: true,
    })),
  });
  const detection = lib.dataType("std/vision/v1/Detection") as {
    struct: { dt: { large_list: { dt: unknown } } }[];
  };
  assert.deepEqual(
    detection.struct[0]!.dt.large_list.dt,
    lib.dataType("std/vision/v1/BoundingBox"),
  );
  assert.equal(lib.dataType("std/core/v1/Nope"), undefined);
});

Deno.test("TypeLibrary resolves short names in the same package before the standard library", () => {
  const { lib, diagnostics } = library(`types:
  Vector3:
    arrow: Struct
    fields: [{ name: x, type: Float32 }]
  Path:
    arrow: Struct
    fields: [{ name: points, type: List<Vector3> }, { name: pose, type: Pose }]
`);
  assert.deepEqual(diagnostics, []);
  const path = lib.dataType("acme/geo/v1/Path") as {
    struct: { dt: unknown }[];
  };
  assert.deepEqual(path.struct[0]!.dt, {
    large_list: {
      name: "item",
      dt: lib.dataType("acme/geo/v1/Vector3"),
      nullable: true,
    },
  });
  assert.deepEqual(path.struct[1]!.dt, lib.dataType("std/math/v1/Pose"));
});

Deno.test("TypeLibrary.build() refuses recursive structs and names the cycle", () => {
  const { lib, diagnostics } = library(`types:
  A:
    arrow: Struct
    fields: [{ name: b, type: B }]
  B:
    arrow: Struct
    fields: [{ name: a, type: List<A> }]
`);
  assert.equal(diagnostics.length, 1);
  assert.ok(
    diagnostics[0]!.message.includes("(A → B → A)"),
    diagnostics[0]!.message,
  );
  assert.equal(lib.get("acme/geo/v1/A"), undefined);
  assert.ok(lib.isBroken("acme/geo/v1/B"));
});

Deno.test("TypeLibrary.suggest() finds the closest URN, preferring the same package", () => {
  const { lib } = library();
  assert.equal(lib.suggest("std/media/v1/Imag"), "std/media/v1/Image");
  assert.equal(lib.suggest("std/core/v1/float64"), "std/core/v1/Float64");
  assert.equal(lib.suggest("std/core/v1/Xyzzy"), undefined);
});
