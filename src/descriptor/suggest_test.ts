import assert from "node:assert/strict";
import { didYouMean, editDistance, suggest } from "./suggest.ts";

Deno.test("editDistance() counts single-character edits", () => {
  assert.equal(editDistance("pth", "path"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("suggest() finds likely typos and ignores unrelated words", () => {
  assert.equal(suggest("pth", ["path", "args", "env"]), "path");
  assert.equal(
    suggest("queue_sise", ["queue_size", "queue_policy"]),
    "queue_size",
  );
  assert.equal(suggest("xyz", ["path", "args"]), undefined);
  assert.equal(didYouMean("ouputs", ["outputs"]), ' (did you mean "outputs"?)');
  assert.equal(didYouMean("zzz", ["outputs"]), "");
});
