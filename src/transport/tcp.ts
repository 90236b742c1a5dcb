/**
 * The TCP transport: one connection per (sender daemon → receiver daemon)
 * pair, carrying frames in the format of docs/protocol.md (length prefix +
 * JSON header + 64-byte-aligned payload). TCP keeps per-peer order; the
 * kernel's flow control is the backpressure.
 *
 * @module
 */
import { FrameReader } from "../message/frame_reader.ts";
import { FrameWriter } from "../message/frame_writer.ts";
import type {
  DataAddress,
  DataTransport,
  InterDaemonHandler,
  InterDaemonMessage,
} from "./types.ts";

interface Link {
  conn?: Deno.TcpConn;
  writer?: FrameWriter;
  ready: Promise<void>;
  /** Frames queued before the connection opened. */
  backlog: [InterDaemonMessage, Uint8Array | null | undefined][];
  failed?: Error;
}

/**
 * Daemon-to-daemon TCP.
 *
 * @example
 * ```ts
 * const t = new TcpTransport();
 * const addr = await t.listen("127.0.0.1", 0, (msg, payload) => console.log(msg));
 * t.send(addr, { t: "closed", df: "x", node: "a", outputs: ["o"] });
 * ```
 */
export class TcpTransport implements DataTransport {
  readonly kind = "tcp";
  #listener?: Deno.TcpListener;
  #links = new Map<string, Link>();
  #accepted = new Set<Deno.TcpConn>();
  #onError: (message: string) => void;

  constructor(onError: (message: string) => void = (m) => console.error(m)) {
    this.#onError = onError;
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
    const reader = new FrameReader(conn);
    try {
      for (let f = await reader.next(); f; f = await reader.next()) {
        onMessage(f.header as unknown as InterDaemonMessage, f.payload);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.BadResource)) {
        this.#onError(
          `daemon data link: ${err instanceof Error ? err.message : err}`,
        );
      }
    } finally {
      try {
        conn.close();
      } catch {
        // closed
      }
    }
  }

  send(
    peer: DataAddress,
    msg: InterDaemonMessage,
    payload?: Uint8Array | null,
  ): void {
    const link = this.#link(peer);
    if (link.failed) return;
    if (link.writer) link.writer.push(msg, payload ?? undefined);
    else link.backlog.push([msg, payload]);
  }

  async flush(peer: DataAddress): Promise<void> {
    const link = this.#link(peer);
    await link.ready;
    await link.writer?.flush();
  }

  #link(peer: DataAddress): Link {
    const key = `${peer.host}:${peer.port}`;
    let link = this.#links.get(key);
    if (link) return link;
    const l: Link = { backlog: [], ready: Promise.resolve() };
    l.ready = (async () => {
      try {
        const conn = await Deno.connect({
          hostname: peer.host,
          port: peer.port,
          transport: "tcp",
        });
        conn.setNoDelay(true);
        l.conn = conn;
        l.writer = new FrameWriter(conn);
        for (const [m, p] of l.backlog) l.writer.push(m, p ?? undefined);
        l.backlog = [];
      } catch (err) {
        l.failed = err instanceof Error ? err : new Error(String(err));
        this.#onError(
          `cannot reach daemon data port ${key}: ${l.failed.message}`,
        );
        // Forget the link so a later send retries the connection.
        this.#links.delete(key);
      }
    })();
    this.#links.set(key, l);
    link = l;
    return link;
  }

  close(): void {
    try {
      this.#listener?.close();
    } catch {
      // closed
    }
    for (const l of this.#links.values()) {
      try {
        l.conn?.close();
      } catch {
        // closed
      }
    }
    for (const c of this.#accepted) {
      try {
        c.close();
      } catch {
        // closed
      }
    }
    this.#links.clear();
  }
}
