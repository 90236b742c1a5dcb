import { equal as assertEquals, ok as assert } from "node:assert/strict";
import { isInside, isSpecialPath, substituteParams } from "./expand.ts";

Deno.test("substituteParams() replaces ${_param.key} and $PARAM_KEY", () => {
  const params = { speed: "2.0", mode: "turbo", speed_limit: "9" };
  assertEquals(
    substituteParams("--speed ${_param.speed} --mode $PARAM_MODE", params),
    "--speed 2.0 --mode turbo",
  );
  // The longest identifier wins: $PARAM_SPEED_LIMIT is one token.
  assertEquals(substituteParams("$PARAM_SPEED_LIMIT", params), "9");
  // Unknown keys stay as written.
  assertEquals(
    substituteParams("${_param.none} $PARAM_NONE", params),
    "${_param.none} $PARAM_NONE",
  );
});

Deno.test("isInside() confines paths to a folder", () => {
  assert(isInside("/a/b", "/a/b/c.yml"));
  assert(isInside("/a/b", "/a/b"));
  assert(!isInside("/a/b", "/a/bc/x"));
  assert(!isInside("/a/b", "/a/x"));
});

Deno.test("isSpecialPath() knows dynamic, shell and URLs", () => {
  assert(isSpecialPath("dynamic"));
  assert(isSpecialPath("shell"));
  assert(isSpecialPath("https://example.com/node.zip"));
  assert(!isSpecialPath("./node.py"));
});
