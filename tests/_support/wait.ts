/**
 * Waiting for a condition that has no output line to wait for (a file that
 * gets a line, a process that appears): checked every 50 ms until it holds,
 * with a generous guard so a broken test fails instead of hanging.
 *
 * @module
 */

/**
 * Resolves with the first truthy value of `check()`; rejects naming `what`
 * (and the last value of `detail()`) after `timeoutMs`.
 */
export async function waitUntil<T>(
  check: () =>
    | T
    | undefined
    | null
    | false
    | Promise<T | undefined | null | false>,
  what: string,
  options: { timeoutMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${
          options.detail ? `:\n${options.detail()}` : ""
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The text of `path`, or "" when it does not exist (yet). */
export function readOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
