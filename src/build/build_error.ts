/**
 * The one error of the build stage: which node, which step, what to do.
 *
 * @module
 */

/** The step of a node's preparation that failed. */
export type BuildStep = "build" | "git" | "url" | "uv";

/**
 * A node whose sources or build failed. `message` names the node and the
 * step; `tail` holds the failing command's last output lines and `hint` what
 * the user can do about it.
 */
export class BuildError extends Error {
  readonly node: string;
  readonly step: BuildStep;
  readonly tail: string[];
  readonly hint?: string;
  /** The message without the leading node name. */
  readonly detail: string;
  constructor(
    node: string,
    step: BuildStep,
    message: string,
    options: { tail?: string[]; hint?: string; cause?: unknown } = {},
  ) {
    super(`node "${node}": ${message}`, { cause: options.cause });
    this.name = "BuildError";
    this.node = node;
    this.step = step;
    this.detail = message;
    this.tail = options.tail ?? [];
    this.hint = options.hint;
  }

  /** Lines to print under the message: the last output lines, then the hint. */
  details(): string[] {
    const lines: string[] = [];
    if (this.tail.length > 0) {
      lines.push(`  last output lines:`);
      for (const l of this.tail) lines.push(`    ${l}`);
    }
    if (this.hint) lines.push(`  ${this.hint}`);
    return lines;
  }
}
