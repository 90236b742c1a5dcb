import assert from "node:assert/strict";
import { parseKeys } from "./terminal.ts";

Deno.test("parseKeys() decodes arrows, Esc, Enter, Ctrl-C and letters", () => {
  assert.deepEqual(
    parseKeys("\x1b[A\x1b[Bjk\r\x03q\x1bOC"),
    ["up", "down", "j", "k", "enter", "ctrl-c", "q", "right"],
  );
  assert.deepEqual(parseKeys("\x1b"), ["escape"]);
  // Unknown sequences (a function key) are skipped whole.
  assert.deepEqual(parseKeys("\x1b[15~n"), ["n"]);
});
