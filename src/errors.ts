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
