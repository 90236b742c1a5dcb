/**
 * The error of a change to a running dataflow that does not fit it (an
 * unknown node, a node that is not running, a bad parameter), with a `code`
 * the control plane passes on so that callers branch on meaning, never on
 * the message.
 *
 * @module
 */

/** What kind of change was refused. */
export type RuntimeChangeCode =
  | "unknown_node"
  | "not_local"
  | "not_running"
  | "dynamic_node"
  | "bad_param"
  | "replace_failed";

/** A refused change; nothing was changed. */
export class RuntimeChangeError extends Error {
  /** Why, for callers that branch on it. */
  readonly code: RuntimeChangeCode;

  /** Creates the error; the message names the node or parameter. */
  constructor(code: RuntimeChangeCode, message: string) {
    super(message);
    this.name = "RuntimeChangeError";
    this.code = code;
  }
}
