/**
 * Splitting a node's `args` string shell-style (POSIX quoting rules, no
 * expansion): `a "b c" 'd e' f\ g` → `["a", "b c", "d e", "f g"]`.
 *
 * @module
 */

/** Bad quoting in an args string. */
export class ShellWordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellWordsError";
  }
}

/**
 * Splits `text` into words like a POSIX shell would, without expansions.
 *
 * @example
 * ```ts
 * splitShellWords(`--name "my node" -v`); // ["--name", "my node", "-v"]
 * ```
 * @throws {ShellWordsError} on an unterminated quote or a trailing backslash.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError("unterminated single quote");
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (
          d === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)
        ) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new ShellWordsError("unterminated double quote");
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new ShellWordsError("trailing backslash");
      if (text[i + 1] !== "\n") word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
