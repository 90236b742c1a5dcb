/** Errors by meaning: the CLI boundary maps them to exit codes. */
import { errorMessage } from "../errors.ts";

/** A bad command line: exit code 2, and the command's help is shown. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * A runtime failure the user can act on: exit code 1 and `error: <message>`.
 * `details` lines are printed under the message (e.g. a list of problems).
 */
export class CliError extends Error {
  details: string[];
  exitCode: number;
  constructor(
    message: string,
    options?: ErrorOptions & { details?: string[]; exitCode?: number },
  ) {
    super(message, options);
    this.name = "CliError";
    this.details = options?.details ?? [];
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** Formats an error and its cause chain; the stack only when verbose. */
export function formatError(err: unknown, verbose: boolean): string {
  const lines: string[] = [];
  const message = errorMessage(err);
  lines.push(`error: ${message}`);
  if (err instanceof CliError) lines.push(...err.details);
  if (verbose) {
    let cause = err instanceof Error ? err.cause : undefined;
    while (cause !== undefined) {
      lines.push(
        `  caused by: ${errorMessage(cause)}`,
      );
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (err instanceof Error && err.stack) lines.push(err.stack);
  }
  return lines.join("\n");
}
