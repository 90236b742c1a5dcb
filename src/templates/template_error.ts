/**
 * Why `dora new` cannot create a project.
 *
 * @module
 */

/** What is wrong: the name, the target folder, or a missing toolchain. */
export type TemplateProblem = "name" | "exists" | "toolchain" | "template";

/** A project that cannot be created; nothing was written. */
export class TemplateError extends Error {
  readonly problem: TemplateProblem;
  readonly hint?: string;
  constructor(problem: TemplateProblem, message: string, hint?: string) {
    super(message);
    this.name = "TemplateError";
    this.problem = problem;
    this.hint = hint;
  }
}
