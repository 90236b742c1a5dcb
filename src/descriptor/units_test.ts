import { equal as assertEquals } from "node:assert/strict";
import { parseByteSize } from "./units.ts";

Deno.test("parseByteSize() reads sizes with 1024-based units", () => {
  assertEquals(parseByteSize("50MB"), 50 * 1024 * 1024);
  assertEquals(parseByteSize("1.5 GB"), 1.5 * 1024 ** 3);
  assertEquals(parseByteSize("512k"), 512 * 1024);
  assertEquals(parseByteSize("100"), 100);
  assertEquals(parseByteSize(4096), 4096);
});

Deno.test("parseByteSize() rejects what is not a size", () => {
  assertEquals(parseByteSize("50 megabytes"), undefined);
  assertEquals(parseByteSize("-1MB"), undefined);
  assertEquals(parseByteSize(-5), undefined);
  assertEquals(parseByteSize(1.5), undefined);
});
