import assert from "node:assert/strict";
import { parseByteSize } from "./units.ts";

Deno.test("parseByteSize() reads sizes with 1024-based units", () => {
  assert.equal(parseByteSize("50MB"), 50 * 1024 * 1024);
  assert.equal(parseByteSize("1.5 GB"), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize("512k"), 512 * 1024);
  assert.equal(parseByteSize("100"), 100);
  assert.equal(parseByteSize(4096), 4096);
});

Deno.test("parseByteSize() rejects what is not a size", () => {
  assert.equal(parseByteSize("50 megabytes"), undefined);
  assert.equal(parseByteSize("-1MB"), undefined);
  assert.equal(parseByteSize(-5), undefined);
  assert.equal(parseByteSize(1.5), undefined);
});
