/**
 * The errors of shared-memory calls, whichever native code makes them (libc
 * or dora's library).
 *
 * @module
 */

/**
 * A region is smaller than a message says (a truncated region, or a sender
 * that lies about its size): mapping it would kill the reader with SIGBUS on
 * the first byte past its end, so it is refused.
 */
export class ShmSizeError extends Error {
  /** Creates the error. */
  constructor(name: string, real: number, claimed: number) {
    super(
      `shared-memory region ${name} has ${real} bytes, but the message says ${claimed}`,
    );
    this.name = "ShmSizeError";
  }
}

/** A native call failed; `code` is the errno name (`ENOSPC`, `EMFILE`, `EEXIST`, …). */
export class ShmError extends Error {
  /** errno name, e.g. `ENOSPC`. */
  readonly code: string;
  /** Creates the error. */
  constructor(message: string, code: string) {
    super(`${message}: ${code}`);
    this.name = "ShmError";
    this.code = code;
  }
}
