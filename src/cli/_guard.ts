/**
 * The last line of defence of a long-running process (`dora run`, `dora
 * daemon`, `dora coordinator`): a bug in one callback is logged as an
 * internal error instead of ending the process and everything it runs.
 *
 * @module
 */

/**
 * Catches unhandled rejections and uncaught exceptions, reporting each
 * through `report`; returns the function that removes the guard.
 *
 * @example
 * ```ts
 * const unguard = guardProcess((text) => console.error(`dora daemon: ${text}`));
 * // … run …
 * unguard();
 * ```
 */
export function guardProcess(report: (text: string) => void): () => void {
  const internal = (what: string, err: unknown) => {
    try {
      report(
        `internal error (${what}): ${
          err instanceof Error ? err.stack ?? err.message : String(err)
        }`,
      );
    } catch {
      // nowhere to report to (stderr closed): keep running
    }
  };
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    internal("unhandled rejection", e.reason);
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    internal("uncaught exception", e.error);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return () => {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  };
}
