/**
 * Errors of runtime nodes found before anything starts.
 *
 * @module
 */

/** An operator that cannot be run; the message names node, operator and file. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorError";
  }
}
