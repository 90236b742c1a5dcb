/**
 * Why `dora self update` / `dora self uninstall` could not do their job.
 *
 * @module
 */

/** What went wrong. */
export type SelfUpdateProblem =
  | "source" // the release source is unreachable or its manifest is bad
  | "no-asset" // the release has nothing for this kind of program
  | "download" // the artifact download failed or its checksum differs
  | "replace" // the program file could not be replaced
  | "not-installed"; // nothing this command can update or remove

/** A failed self update or uninstall; the old program is untouched. */
export class SelfUpdateError extends Error {
  readonly problem: SelfUpdateProblem;
  readonly hint?: string;
  constructor(problem: SelfUpdateProblem, message: string, hint?: string) {
    super(message);
    this.name = "SelfUpdateError";
    this.problem = problem;
    this.hint = hint;
  }
}
