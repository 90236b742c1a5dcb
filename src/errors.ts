/**
 * Error helpers every layer shares.
 *
 * @module
 */

/**
 * The message of an unknown thrown value.
 *
 * @example
 * ```ts
 * try {
 *   JSON.parse("{");
 * } catch (err) {
 *   console.error(errorMessage(err));
 * }
 * ```
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Why a `fetch()` failed, in the words of the network layer: Deno's own
 * message is only "fetch failed", the reason (refused, no such host, TLS) is
 * in its cause, after a prefix that repeats the URL.
 *
 * @example
 * ```ts
 * try {
 *   await fetch("http://127.0.0.1:9/");
 * } catch (err) {
 *   fetchErrorMessage(err); // "tcp connect error: Connection refused (os error 111)"
 * }
 * ```
 */
export function fetchErrorMessage(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error
    ? err.cause.message
    : errorMessage(err);
  return cause
    .replace(/^error sending request for url \([^)]*\): /, "")
    .replace(/^client error \(\w+\): /, "");
}
