import assert from "node:assert/strict";
import { formatUrn, parseUrn, shortName } from "./urn.ts";

Deno.test("parseUrn() splits base, package, name and parameters", () => {
  const urn = parseUrn("std/media/v1/AudioFrame[sample_type=f32, channels=2]");
  if (typeof urn === "string") throw new Error(urn);
  assert.equal(urn.base, "std/media/v1/AudioFrame");
  assert.equal(urn.pkg, "std/media/v1");
  assert.equal(urn.name, "AudioFrame");
  assert.deepEqual([...urn.params], [["sample_type", "f32"], [
    "channels",
    "2",
  ]]);
});

Deno.test("parseUrn() says what is wrong with a malformed URN", () => {
  assert.equal(
    parseUrn("Float64"),
    "expected <namespace>/v<N>/<Type>, e.g. std/core/v1/Float64",
  );
  assert.equal(parseUrn("std/core/v1/Bytes["), `"[" without a closing "]"`);
  assert.equal(
    parseUrn("std/core/v1/X[]"),
    `empty parameter list "[]" (leave the brackets out)`,
  );
  assert.equal(
    parseUrn("std/core/v1/X[a]"),
    `parameter "a" must be written name=value`,
  );
  assert.equal(
    parseUrn("std/core/v1/X[a=1,a=2]"),
    `parameter "a" is given twice`,
  );
  assert.equal(
    parseUrn("std/core/latest/X"),
    `the part before the type name must be a version such as v1 (got "latest")`,
  );
});

Deno.test("formatUrn() sorts parameters; shortName() drops them", () => {
  assert.equal(
    formatUrn("a/v1/T", new Map([["z", "1"], ["a", "2"]])),
    "a/v1/T[a=2,z=1]",
  );
  assert.equal(shortName("std/media/v1/Image[encoding=rgb8]"), "Image");
});
