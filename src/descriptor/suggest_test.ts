import { equal as assertEquals } from "node:assert/strict";
import { didYouMean, editDistance, suggest } from "./suggest.ts";

Deno.test("editDistance() counts single-character edits", () => {
  assertEquals(editDistance("pth", "path"), 1);
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(editDistance("", "abc"), 3);
});

Deno.test("suggest() finds likely typos and ignores unrelated words", () => {
  assertEquals(suggest("pth", ["path", "args", "env"]), "path");
  assertEquals(
    suggest("queue_sise", ["queue_size", "queue_policy"]),
    "queue_size",
  );
  assertEquals(suggest("xyz", ["path", "args"]), undefined);
  assertEquals(didYouMean("ouputs", ["outputs"]), ' (did you mean "outputs"?)');
  assertEquals(didYouMean("zzz", ["outputs"]), "");
});
