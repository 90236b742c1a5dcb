/**
 * The TCP transport: one connection per (dataflow, sender daemon → receiver
 * daemon), carrying frames in the format of docs/protocol.md (length prefix
 * + JSON header + 64-byte-aligned payload). The first frame of a connection
 * is a {@link LinkHello} with the dataflow's secret; the receiver compares it
 * in constant time and closes links that do not present it. TCP keeps the
 * order; the kernel's flow control is the backpressure.
 *
 * @module
 */
import { FrameReader } from "../message/frame_reader.ts";
import { FrameWriter } from "../message/frame_writer.ts";
import { sameSecret } from "./secret.ts";
import type {
  DataAddress,
  DataTransport,
  InterDaemonHandler,
  InterDaemonMessage,
  LinkHello,
} from "./types.ts";

/** How long a new connection may take to present its dataflow's secret. */
export const HELLO_TIMEOUT_MS = 10_000;
/** How long after a failed link to a peer the next connection is tried. */
const RETRY_AFTER_MS = 1000;

interface Link {
  df: string;
  conn?: Deno.TcpConn;
  writer?: FrameWriter;
  ready: Promise<void>;
  /** Frames queued before the connection opened. */
  backlog: [InterDaemonMessage, Uint8Array | null | undefined][];
  failed?: boolean;
}

/**
 * Daemon-to-daemon TCP.
 *
 * @example
 * ```ts
 * const t = new TcpTransport();
 * t.authorize("dataflow-uuid", "secret from the coordinator");
 * const addr = await t.listen("127.0.0.1", 0, (msg, payload) => console.log(msg));
 * t.send(addr, { t: "closed", df: "dataflow-uuid", node: "a", outputs: ["o"] });
 * ```
 */
export class TcpTransport implements DataTransport {
  readonly kind = "tcp";
  /** Credits go back over the link to the sending daemon. */
  readonly credits = true;
  #listener?: Deno.TcpListener;
  #links = new Map<string, Link>();
  #accepted = new Set<Deno.TcpConn>();
  #secrets = new Map<string, string>();
  /** Dataflows released here (newest last): their links are closed quietly. */
  #released = new Set<string>();
  #waiting = new Map<string, Set<() => void>>();
  /** Links that failed recently: sends are dropped (and counted) until `until`. */
  #cooling = new Map<string, { until: number; dropped: number }>();
  #onError: (message: string) => void;

  constructor(onError: (message: string) => void = (m) => console.error(m)) {
    this.#onError = onError;
  }

  authorize(df: string, secret: string): void {
    this.#secrets.set(df, secret);
    for (const wake of this.#waiting.get(df) ?? []) wake();
    this.#waiting.delete(df);
  }

  async release(df: string): Promise<void> {
    this.#secrets.delete(df);
    this.#released.add(df);
    if (this.#released.size > 1000) {
      this.#released.delete(this.#released.values().next().value!);
    }
    for (const key of this.#cooling.keys()) {
      if (key.endsWith(`/${df}`)) this.#cooling.delete(key);
    }
    const links = [...this.#links.entries()].filter(([, l]) => l.df === df);
    for (const [key] of links) this.#links.delete(key);
    await Promise.all(links.map(async ([, l]) => {
      await l.ready;
      await l.writer?.flush().catch(() => {});
      closeQuietly(l.conn);
    }));
  }

  listen(
    host: string,
    port: number,
    onMessage: InterDaemonHandler,
  ): Promise<DataAddress> {
    const listener = Deno.listen({ hostname: host, port, transport: "tcp" });
    this.#listener = listener;
    (async () => {
      try {
        for await (const conn of listener) {
          this.#accepted.add(conn);
          this.#serve(conn, onMessage).finally(() => {
            this.#accepted.delete(conn);
          });
        }
      } catch {
        // listener closed
      }
    })();
    const addr = listener.addr as Deno.NetAddr;
    return Promise.resolve({ host: addr.hostname, port: addr.port });
  }

  async #serve(conn: Deno.TcpConn, onMessage: InterDaemonHandler) {
    conn.setNoDelay(true);
    const from = conn.remoteAddr as Deno.NetAddr;
    const peer = `${from.hostname}:${from.port}`;
    const reader = new FrameReader(conn);
    try {
      const df = await this.#admit(conn, reader);
      if (typeof df !== "string") {
        if (!df.quiet) {
          this.#onError(
            `refused a data connection from ${peer}: ${df.refused}`,
          );
        }
        return;
      }
      for (let f = await reader.next(); f; f = await reader.next()) {
        const msg = f.header as unknown as InterDaemonMessage;
        if (msg.df !== df) {
          this.#onError(
            `closed the data connection from ${peer}: it was opened for dataflow ${df} but carried a message of ${
              JSON.stringify(msg.df)
            }`,
          );
          return;
        }
        onMessage(msg, f.payload);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.BadResource)) {
        this.#onError(
          `daemon data link from ${peer}: ${
            err instanceof Error ? err.message : err
          }`,
        );
      }
    } finally {
      closeQuietly(conn);
    }
  }

  /**
   * Reads the hello of a new connection: the dataflow it is for, or why it
   * is refused. A hello that arrives before its dataflow was authorized
   * here (the spawn is still on its way) waits for it until the deadline.
   */
  async #admit(
    conn: Deno.TcpConn,
    reader: FrameReader,
  ): Promise<string | { refused: string; quiet?: boolean }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), HELLO_TIMEOUT_MS);
    });
    try {
      const first = await Promise.race([reader.next(), deadline]);
      if (first === "timeout") {
        closeQuietly(conn);
        return { refused: "no hello within 10s" };
      }
      const hello = first?.header as Partial<LinkHello> | undefined;
      if (
        hello?.t !== "hello" || typeof hello.df !== "string" ||
        typeof hello.secret !== "string"
      ) {
        return { refused: "the first frame is not a hello with a secret" };
      }
      let secret = this.#secrets.get(hello.df);
      if (secret === undefined && this.#released.has(hello.df)) {
        // Its part here has finished: nothing to deliver to.
        return { refused: `dataflow ${hello.df} finished`, quiet: true };
      }
      if (secret === undefined) {
        const known = Promise.withResolvers<"known">();
        const waiters = this.#waiting.get(hello.df) ?? new Set();
        waiters.add(() => known.resolve("known"));
        this.#waiting.set(hello.df, waiters);
        await Promise.race([known.promise, deadline]);
        secret = this.#secrets.get(hello.df);
      }
      if (secret === undefined) {
        return { refused: `unknown dataflow ${JSON.stringify(hello.df)}` };
      }
      if (!sameSecret(hello.secret, secret)) {
        return { refused: `wrong secret for dataflow ${hello.df}` };
      }
      return hello.df;
    } finally {
      clearTimeout(timer);
    }
  }

  send(
    peer: DataAddress,
    msg: InterDaemonMessage,
    payload?: Uint8Array | null,
  ): void {
    const link = this.#link(peer, msg.df);
    if (!link || link.failed) return;
    if (!link.writer) {
      link.backlog.push([msg, payload]);
      return;
    }
    try {
      // JSON: link messages name their dataflow, node and output, which the
      // binary header of node frames does not carry.
      link.writer.pushJson(JSON.stringify(msg), payload ?? undefined);
    } catch (err) {
      this.#fail(peer, link, err);
    }
  }

  async flush(peer: DataAddress): Promise<void> {
    const prefix = `${peer.host}:${peer.port}/`;
    const links = [...this.#links.entries()].filter(([k]) =>
      k.startsWith(prefix)
    ).map(([, l]) => l);
    await Promise.all(links.map(async (l) => {
      await l.ready;
      await l.writer?.flush();
    }));
  }

  /** The link to `peer` for dataflow `df`, opened on first use. */
  #link(peer: DataAddress, df: string): Link | undefined {
    const key = `${peer.host}:${peer.port}/${df}`;
    const existing = this.#links.get(key);
    if (existing) return existing;
    const cooling = this.#cooling.get(key);
    if (cooling) {
      if (Date.now() < cooling.until) {
        cooling.dropped++;
        return undefined;
      }
      this.#cooling.delete(key);
      if (cooling.dropped > 0) {
        this.#onError(
          `dropped ${cooling.dropped} message(s) of dataflow ${df} while daemon data port ${peer.host}:${peer.port} was unreachable`,
        );
      }
    }
    const secret = this.#secrets.get(df);
    if (secret === undefined) {
      this.#onError(
        `cannot send to daemon data port ${peer.host}:${peer.port}: dataflow ${df} has no secret here`,
      );
      return undefined;
    }
    const link: Link = { df, backlog: [], ready: Promise.resolve() };
    link.ready = (async () => {
      try {
        const conn = await Deno.connect({
          hostname: peer.host,
          port: peer.port,
          transport: "tcp",
        });
        conn.setNoDelay(true);
        link.conn = conn;
        const writer = new FrameWriter(conn);
        const hello: LinkHello = { t: "hello", df, secret };
        writer.push(hello);
        for (const [m, p] of link.backlog) {
          writer.pushJson(JSON.stringify(m), p ?? undefined);
        }
        link.backlog = [];
        link.writer = writer;
      } catch (err) {
        this.#fail(peer, link, err);
      }
    })();
    this.#links.set(key, link);
    return link;
  }

  /** A link broke: report it once and forget it so a later send reconnects. */
  #fail(peer: DataAddress, link: Link, err: unknown): void {
    if (link.failed) return;
    link.failed = true;
    const key = `${peer.host}:${peer.port}/${link.df}`;
    if (this.#links.get(key) === link) this.#links.delete(key);
    // Retry after a pause, not on every message.
    this.#cooling.set(key, { until: Date.now() + RETRY_AFTER_MS, dropped: 0 });
    closeQuietly(link.conn);
    this.#onError(
      `daemon data link to ${peer.host}:${peer.port} (dataflow ${link.df}) failed: ${
        err instanceof Error ? err.message : err
      }`,
    );
  }

  close(): void {
    try {
      this.#listener?.close();
    } catch {
      // closed
    }
    for (const l of this.#links.values()) closeQuietly(l.conn);
    for (const c of this.#accepted) closeQuietly(c);
    this.#links.clear();
    for (const waiters of this.#waiting.values()) {
      for (const wake of waiters) wake();
    }
    this.#waiting.clear();
  }
}

function closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // closed
  }
}
