import assert from "node:assert/strict";
import { isInside, isSpecialPath, substituteParams } from "./expand.ts";

Deno.test("substituteParams() replaces ${_param.key} and $PARAM_KEY", () => {
  const params = { speed: "2.0", mode: "turbo", speed_limit: "9" };
  assert.equal(
    substituteParams("--speed ${_param.speed} --mode $PARAM_MODE", params),
    "--speed 2.0 --mode turbo",
  );
  // The longest identifier wins: $PARAM_SPEED_LIMIT is one token.
  assert.equal(substituteParams("$PARAM_SPEED_LIMIT", params), "9");
  // Unknown keys stay as written.
  assert.equal(
    substituteParams("${_param.none} $PARAM_NONE", params),
    "${_param.none} $PARAM_NONE",
  );
});

Deno.test("isInside() confines paths to a folder", () => {
  assert.ok(isInside("/a/b", "/a/b/c.yml"));
  assert.ok(isInside("/a/b", "/a/b"));
  assert.ok(!isInside("/a/b", "/a/bc/x"));
  assert.ok(!isInside("/a/b", "/a/x"));
});

Deno.test("isSpecialPath() knows dynamic, shell and URLs", () => {
  assert.ok(isSpecialPath("dynamic"));
  assert.ok(isSpecialPath("shell"));
  assert.ok(isSpecialPath("https://example.com/node.zip"));
  assert.ok(!isSpecialPath("./node.py"));
});
