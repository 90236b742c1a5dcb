/**
 * The daemon-to-daemon data plane, behind an interface so TCP (default) and
 * zenoh are interchangeable.
 *
 * @module
 */

/** Where a daemon accepts data connections. */
export interface DataAddress {
  host: string;
  port: number;
  /**
   * The transport the daemon uses (absent: `tcp`). For zenoh, `host` is the
   * daemon's id on zenoh and `port` is 0.
   */
  transport?: string;
}

/** One output of a node. */
export interface OutputRef {
  node: string;
  output: string;
}

/**
 * What crosses machines for one dataflow, seen from this daemon (for
 * transports that subscribe per output and need a readiness handshake).
 */
export interface LinkPlan {
  /** Outputs of nodes on other daemons that local nodes read. */
  receive: OutputRef[];
  /** Local outputs read on other daemons, with those daemons' addresses. */
  send: (OutputRef & { peers: DataAddress[] })[];
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

/**
 * Credits for backpressure across machines: `n` messages to `input` of the
 * receiving daemon's node `node` left its queue, so its senders may send `n`
 * more (see runtime/delivery/remote_credits.ts).
 */
export interface RemoteCredit {
  t: "credit";
  df: string;
  node: string;
  input: string;
  n: number;
}

/**
 * Messages or credits of dataflow `df` may have been lost on the way (a
 * zenoh bridge was gone): the sending daemon starts its credit windows over,
 * so that a sender held back for credits that will never come goes on.
 * Raised by the transport itself, towards its own daemon.
 */
export interface RemoteResync {
  t: "resync";
  df: string;
}

/** Any message between daemons. */
export type InterDaemonMessage =
  | RemoteOutput
  | RemoteClosed
  | RemoteCredit
  | RemoteResync;

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
   * Whether it carries `credit` messages back to the sending daemon, so
   * that backpressure inputs hold senders on other machines back.
   */
  readonly credits?: boolean;
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
   * Optional: prepares dataflow `df`'s links (subscriptions, publishers) and
   * resolves once every receiver in `plan` is reachable, so that nothing
   * sent after that is lost (the readiness handshake; the daemon reports
   * its part ready only then). Rejects with the unreachable peers after a
   * timeout. Transports that connect lazily and keep a backlog omit it.
   */
  open?(df: string, plan: LinkPlan): Promise<void>;
  /**
   * Optional: dataflow `df`'s graph changed at run time (`dora node add`,
   * `connect`, …): prepares what `plan` needs beyond what was prepared
   * (subscriptions of new cross-machine inputs); resolves once they are in
   * place. Transports that connect lazily omit it.
   */
  replan?(df: string, plan: LinkPlan): Promise<void>;
  /**
   * Forgets dataflow `df`: flushes and closes the links this side opened for
   * it; new links for it are refused.
   */
  release(df: string): Promise<void>;
  /**
   * Queues a message to `peer`, connecting on first use (one link per
   * dataflow). Synchronous so callers keep their order; delivery errors are
   * reported to `onError`, never thrown. Callers hand the same `msg` object
   * to every peer that receives it: a publishing transport (zenoh) sends it
   * once for all of them.
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
