import assert from "node:assert/strict";
import { TypeLibrary } from "./library.ts";
import { stdPackages } from "./std.ts";
import { Compatibility } from "./compat.ts";

const lib = TypeLibrary.build(stdPackages().packages, []);
const core = (t: string) => `std/core/v1/${t}`;

Deno.test("Compatibility.check() accepts the same type, widenings of up to three steps and anything into Bytes", () => {
  const c = new Compatibility(lib);
  assert.equal(c.check(core("Float32"), core("Float32")), undefined);
  assert.equal(c.check(core("Float32"), core("Float64")), undefined);
  assert.equal(c.check(core("UInt8"), core("UInt64")), undefined);
  assert.equal(c.check(core("Int8"), core("Int64")), undefined);
  assert.equal(c.check("std/media/v1/Image", core("Bytes")), undefined);
  assert.deepEqual(c.check(core("Float64"), core("Float32")), {
    kind: "type",
    fields: [],
  });
  assert.deepEqual(c.check(core("UInt32"), core("Int64")), {
    kind: "type",
    fields: [],
  });
});

Deno.test("Compatibility.check() treats an unparameterised side as a wildcard", () => {
  const c = new Compatibility(lib);
  const audio = "std/media/v1/AudioFrame";
  assert.equal(c.check(`${audio}[sample_type=f32]`, audio), undefined);
  assert.equal(c.check(audio, `${audio}[sample_type=i16]`), undefined);
  assert.deepEqual(
    c.check(`${audio}[sample_type=f32]`, `${audio}[sample_type=i16]`),
    {
      kind: "param",
      name: "sample_type",
      sent: "f32",
      expected: "i16",
    },
  );
});

Deno.test("Compatibility follows user rules for at most three steps", () => {
  const rules = [["Bool", "Int8"], ["Int8", "Float32"], ["Float32", "String"], [
    "String",
    "Image",
  ]]
    .map(([from, to]) => ({
      from: from === "Image" ? "" : core(from),
      to: to === "Image" ? "std/media/v1/Image" : core(to),
    }));
  const c = new Compatibility(lib, rules);
  assert.equal(c.check(core("Bool"), core("String")), undefined);
  assert.ok(c.check(core("Bool"), "std/media/v1/Image"));
});

Deno.test("Compatibility.fieldProblems() names missing and mistyped fields, nested ones with their path", () => {
  const c = new Compatibility(lib);
  assert.deepEqual(
    c.fieldProblems("std/math/v1/Pose", "std/math/v1/Transform"),
    [
      'missing field "translation" (Vector3)',
      'missing field "rotation" (Quaternion)',
    ],
  );
  assert.deepEqual(
    c.fieldProblems("std/math/v1/Quaternion", "std/math/v1/Vector3"),
    [],
  );
  assert.deepEqual(
    c.fieldProblems("std/core/v1/Float32", "std/math/v1/Vector3"),
    [],
  );
});

Deno.test("Compatibility.acceptedDataTypes() lists what may arrive on an input", () => {
  const c = new Compatibility(lib);
  assert.deepEqual(
    c.acceptedDataTypes(core("UInt32")),
    ["u16", "u32", "u8"].sort(),
  );
  assert.equal(c.acceptedDataTypes(core("Bytes")), undefined);
});
