/**
 * The daemon-to-daemon data plane, behind an interface so TCP (default) and
 * other transports (zenoh, later) are interchangeable.
 *
 * @module
 */

/** Where a daemon accepts data connections. */
export interface DataAddress {
  host: string;
  port: number;
}

/** An output message for receivers on another daemon. */
export interface RemoteOutput {
  t: "output";
  /** Dataflow uuid. */
  df: string;
  /** Sending node and output. */
  node: string;
  output: string;
  /** Wire metadata (`m` of docs/protocol.md). */
  m: unknown;
  /** Data layout (`d` of docs/protocol.md), absent for empty messages. */
  d?: unknown;
}

/** The sending node closed these outputs (it exited or called close_outputs). */
export interface RemoteClosed {
  t: "closed";
  df: string;
  node: string;
  outputs: string[];
}

/** Any message between daemons. */
export type InterDaemonMessage = RemoteOutput | RemoteClosed;

/**
 * The first frame on every data link: the dataflow the link carries and its
 * secret (handed to every daemon of the dataflow by the coordinator). A link
 * without it, with a wrong secret, or carrying another dataflow's messages
 * is closed.
 */
export interface LinkHello {
  t: "hello";
  df: string;
  secret: string;
}

/** Called for every message received from another daemon. */
export type InterDaemonHandler = (
  msg: InterDaemonMessage,
  payload: Uint8Array | null,
) => void;

/**
 * A daemon-to-daemon transport. Messages of one dataflow to one peer arrive
 * in the order they were sent (one ordered, authenticated stream per
 * dataflow and peer).
 */
export interface DataTransport {
  /** Name for logs, e.g. `tcp`. */
  readonly kind: string;
  /**
   * Starts accepting on `host:port` (0 = any free port); resolves to the
   * bound address. Only links of authorized dataflows are accepted.
   */
  listen(
    host: string,
    port: number,
    onMessage: InterDaemonHandler,
  ): Promise<DataAddress>;
  /**
   * Admits dataflow `df`: links presenting `secret` are accepted, and links
   * this side opens for `df` present it.
   */
  authorize(df: string, secret: string): void;
  /**
   * Forgets dataflow `df`: flushes and closes the links this side opened for
   * it; new links for it are refused.
   */
  release(df: string): Promise<void>;
  /**
   * Queues a message to `peer`, connecting on first use (one link per
   * dataflow). Synchronous so callers keep their order; delivery errors are
   * reported to `onError`, never thrown.
   */
  send(
    peer: DataAddress,
    msg: InterDaemonMessage,
    payload?: Uint8Array | null,
  ): void;
  /** Resolves once everything queued to `peer` has been written. */
  flush(peer: DataAddress): Promise<void>;
  /** Closes the listener and every connection. */
  close(): void;
}
