/**
 * Errors raised by the wire codec.
 *
 * @module
 */

/**
 * A peer broke the wire protocol (see `docs/protocol.md`): a malformed frame,
 * an oversized frame, a header that is not a JSON object, an unknown message
 * type, a data layout that does not fit its payload, … The message names the
 * problem; a peer that receives one disconnects.
 */
export class ProtocolError extends Error {
  /** Creates the error with a message that names the problem. */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}
