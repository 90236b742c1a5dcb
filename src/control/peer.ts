/**
 * One end of a control link: JSON requests in both directions, responses
 * matched by id, and pushed events, over a WebSocket.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { decodeJson, encodeJson } from "./json.ts";
import type { Frame } from "./protocol.ts";

/** Handles an incoming request; the resolved value is the `result`. */
export type RequestHandler = (
  method: string,
  params: unknown,
  peer: Peer,
) => unknown | Promise<unknown>;

/** Handles an incoming pushed event. */
export type EventHandler = (
  event: string,
  payload: unknown,
  peer: Peer,
) => void;

/** The link closed (or never opened) before a response arrived. */
export class LinkClosedError extends Error {
  constructor(message = "control link closed") {
    super(message);
    this.name = "LinkClosedError";
  }
}

/**
 * An error reply from the other end, carrying its message verbatim and, when
 * the other end threw an error with a string `code` (such as
 * {@linkcode VersionMismatchError}), that code to branch on.
 */
export class RemoteError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "RemoteError";
  }
}

/** Options for {@link Peer}. */
export interface PeerOptions {
  onRequest?: RequestHandler;
  onEvent?: EventHandler;
  onClose?: (peer: Peer) => void;
}

/**
 * A control link endpoint over an (open or opening) WebSocket.
 *
 * @example
 * ```ts
 * const peer = new Peer(new WebSocket("ws://127.0.0.1:6013/api/control"));
 * await peer.opened;
 * const list = await peer.call("list", {});
 * ```
 */
export class Peer {
  readonly ws: WebSocket;
  /** Resolves once the socket is open; rejects if it fails to open. */
  readonly opened: Promise<void>;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  /** Free-form per-link state for servers (e.g. the daemon id). */
  data: Record<string, unknown> = {};
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #queue: string[] = [];
  #opts: PeerOptions;
  #isClosed = false;
  #openError: string | undefined;

  constructor(ws: WebSocket, opts: PeerOptions = {}) {
    this.ws = ws;
    this.#opts = opts;
    const opened = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<void>();
    this.opened = opened.promise;
    this.closed = closed.promise;
    this.opened.catch(() => {});
    if (ws.readyState === WebSocket.OPEN) opened.resolve();
    ws.addEventListener("open", () => {
      for (const text of this.#queue) ws.send(text);
      this.#queue = [];
      opened.resolve();
    });
    ws.addEventListener("error", (e) => {
      this.#openError = (e as ErrorEvent).message ?? "websocket error";
    });
    ws.addEventListener("close", () => {
      this.#isClosed = true;
      opened.reject(
        new LinkClosedError(this.#openError ?? "connection closed"),
      );
      for (const p of this.#pending.values()) {
        p.reject(new LinkClosedError());
      }
      this.#pending.clear();
      closed.resolve();
      this.#opts.onClose?.(this);
    });
    ws.addEventListener("message", (e) => this.#onMessage(e.data));
  }

  /** Whether the link has closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Sets the handlers (servers set them after the handshake). */
  setHandlers(opts: PeerOptions): void {
    this.#opts = { ...this.#opts, ...opts };
  }

  /** Sends a request and resolves with its result (rejects on `error`). */
  call<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    if (this.#isClosed) return Promise.reject(new LinkClosedError());
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#pending.set(id, { resolve, reject });
    this.#send({ id, method, params });
    return promise as Promise<T>;
  }

  /** Pushes an event; silently dropped if the link is closed. */
  notify(event: string, payload: unknown = {}): void {
    if (this.#isClosed) return;
    this.#send({ event, payload });
  }

  /**
   * Pushes an event whose payload is already JSON text (no bigints): streams
   * of many small values skip the bigint-aware encoder.
   */
  notifyJson(event: string, payloadJson: string): void {
    if (this.#isClosed || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(`{"event":${JSON.stringify(event)},"payload":${payloadJson}}`);
  }

  /** Closes the link with an explicit code (peers in other languages need one). */
  close(code = 1000, reason = "bye"): void {
    if (this.#isClosed) return;
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  #send(frame: Frame): void {
    const text = encodeJson(frame);
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.#queue.push(text);
      return;
    }
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(text);
  }

  async #onMessage(data: unknown): Promise<void> {
    if (typeof data !== "string") {
      this.close(1003, "binary frames are not part of the control protocol");
      return;
    }
    let frame: Record<string, unknown>;
    try {
      frame = decodeJson(data) as Record<string, unknown>;
    } catch {
      this.close(1007, "invalid JSON frame");
      return;
    }
    if (typeof frame.event === "string") {
      this.#opts.onEvent?.(frame.event, frame.payload, this);
      return;
    }
    const id = frame.id as number;
    if (typeof frame.method === "string") {
      try {
        if (!this.#opts.onRequest) {
          throw new Error(`unknown method "${frame.method}"`);
        }
        const result = await this.#opts.onRequest(
          frame.method,
          frame.params ?? {},
          this,
        );
        this.#send({ id, result: result ?? null });
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        this.#send({
          id,
          error: errorMessage(err),
          ...(typeof code === "string" ? { code } : {}),
        });
      }
      return;
    }
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (typeof frame.error === "string") {
      pending.reject(
        new RemoteError(
          frame.error,
          typeof frame.code === "string" ? frame.code : undefined,
        ),
      );
    } else pending.resolve(frame.result);
  }
}
