/**
 * One node's Unix-socket connection: the `hello` handshake, then a frame loop
 * that hands validated headers to the runtime and pauses reading while the
 * runtime applies backpressure.
 *
 * @module
 */
import {
  asNodeToDaemon,
  FrameReader,
  FrameWriter,
  type HelloHeader,
  type NodeToDaemon,
  ProtocolError,
} from "../../message/mod.ts";

/** What the runtime does with a connection's frames. */
export interface ConnectionHandler {
  /** Returns an error message to refuse the connection, or `null`. */
  onHello(conn: NodeConnection, hello: HelloHeader): string | null;
  /**
   * A frame after the handshake; a returned promise pauses reading. `text`
   * is the header's JSON text as received, `bytes` a binary header's bytes
   * (valid during the call only), for forwarding without encoding again.
   */
  onFrame(
    conn: NodeConnection,
    header: NodeToDaemon,
    payload: Uint8Array | null,
    text: string,
    bytes: Uint8Array | null,
  ): void | Promise<void>;
  /**
   * Every frame already read was handed to `onFrame` (the connection is
   * about to wait for the socket, or for a returned promise): deferred work
   * is done now rather than after the next read is issued.
   */
  onIdle?(conn: NodeConnection): void;
  /** The connection ended (EOF, error, or `close()`). */
  onClose(conn: NodeConnection, error?: Error): void;
}

/** A connected node. */
export class NodeConnection {
  /** Set once `hello` was accepted. */
  nodeId?: string;
  /**
   * Whether the node reads binary message headers (its hello said so);
   * otherwise input frames go as JSON.
   */
  binary = false;
  #conn: Deno.Conn;
  #writer: FrameWriter;
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#writer = new FrameWriter(conn);
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a frame; frames pushed in one tick go out in one write. */
  send(header: object, payload?: Uint8Array | null): void {
    if (this.#closed) return;
    try {
      if (this.binary) this.#writer.push(header, payload);
      else this.#writer.pushJson(JSON.stringify(header), payload);
    } catch {
      this.close();
    }
  }

  /** Queues a frame whose header bytes are given (a forwarded binary header). */
  sendHeaderBytes(header: Uint8Array, payload?: Uint8Array | null): void {
    if (this.#closed) return;
    try {
      this.#writer.pushHeaderBytes(header, payload);
    } catch {
      this.close();
    }
  }

  /** Queues a frame whose header is already compact JSON text. */
  sendJson(json: string, payload?: Uint8Array | null): void {
    if (this.#closed) return;
    try {
      this.#writer.pushJson(json, payload);
    } catch {
      this.close();
    }
  }

  /** Starts writing the queued frames now (same tick) unless a write is in flight. */
  kick(): void {
    if (!this.#closed) this.#writer.kick();
  }

  /** Sends an `error` frame, then closes once it is written. */
  async refuse(message: string): Promise<void> {
    this.send({ t: "error", message });
    try {
      await this.#writer.flush();
    } catch {
      // peer gone
    }
    this.close();
  }

  /** Closes the socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  /** Runs the handshake and the frame loop until the connection ends. */
  async serve(handler: ConnectionHandler): Promise<void> {
    const reader = new FrameReader(this.#conn);
    let error: Error | undefined;
    try {
      const first = await reader.next();
      if (!first) return;
      const hello = asNodeToDaemon(first.header);
      if (hello.t !== "hello") {
        throw new ProtocolError(
          `expected "hello" as the first frame, got "${hello.t}"`,
        );
      }
      const refusal = handler.onHello(this, hello);
      if (refusal !== null) {
        await this.refuse(refusal);
        return;
      }
      for (;;) {
        let frame = await reader.next();
        if (!frame) break;
        // Frames already buffered are handled in this tick, without a
        // promise round trip each.
        while (frame) {
          const wait = handler.onFrame(
            this,
            asNodeToDaemon(frame.header),
            frame.payload,
            reader.lastHeaderText,
            reader.lastHeaderBytes,
          );
          if (wait) {
            handler.onIdle?.(this);
            await wait;
          }
          if (this.#closed) break;
          frame = reader.tryNext();
        }
        handler.onIdle?.(this);
      }
    } catch (err) {
      // A node that closes with events still unread resets the connection:
      // that is an ordinary close (its exit status says how it ended).
      if (!this.#closed && !(err instanceof Deno.errors.ConnectionReset)) {
        error = err instanceof Error ? err : new Error(String(err));
        if (err instanceof ProtocolError) {
          await this.refuse(`protocol error: ${err.message}`);
        }
      }
    } finally {
      this.close();
      if (this.nodeId !== undefined || error) handler.onClose(this, error);
    }
  }
}
