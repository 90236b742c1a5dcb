/**
 * Path rules for module files and the paths inside them.
 *
 * @module
 */
import { dirname, isAbsolute, join, normalize, relative } from "node:path";

/** Whether `path` is `dir` or inside it. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** `dynamic`, `shell` and URLs are not files. */
export function isSpecialPath(p: string): boolean {
  return p === "dynamic" || p === "shell" || /^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}

/**
 * The real path of module file `rel` referenced from the file at `fromAbs`, or
 * undefined when it does not exist (symlinks resolved so that escapes and
 * cycles are caught on the real file).
 */
export function realModulePath(
  fromAbs: string,
  rel: string,
): string | undefined {
  try {
    return Deno.realPathSync(normalize(join(dirname(fromAbs), rel)));
  } catch {
    return undefined;
  }
}
