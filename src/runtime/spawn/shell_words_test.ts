import assert from "node:assert/strict";
import { ShellWordsError, splitShellWords } from "./shell_words.ts";

Deno.test("splitShellWords() honours quotes and escapes", () => {
  assert.deepEqual(splitShellWords(`a "b c" 'd e' f\\ g "x\\"y" ''`), [
    "a",
    "b c",
    "d e",
    "f g",
    'x"y',
    "",
  ]);
  assert.deepEqual(splitShellWords("  --n=1\t-v  "), ["--n=1", "-v"]);
  assert.deepEqual(splitShellWords(""), []);
});

Deno.test("splitShellWords() rejects bad quoting", () => {
  assert.throws(() => splitShellWords(`"open`), ShellWordsError);
  assert.throws(() => splitShellWords(`'open`), /unterminated single quote/);
  assert.throws(() => splitShellWords(`end\\`), /trailing backslash/);
});
