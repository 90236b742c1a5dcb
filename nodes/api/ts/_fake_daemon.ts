/**
 * A tiny daemon for node-API tests: speaks docs/protocol.md over a real Unix
 * socket using the shared codec. Answers `next` with queued events (holding
 * the request while there are none) and records everything the node sends.
 *
 * @module
 */
import {
  asNodeToDaemon,
  encodeMetadata,
  encodeValue,
  type Frame,
  FrameReader,
  FrameWriter,
  type NodeToDaemon,
  type SendableValue,
} from "../../../src/message/mod.ts";
import type { NodeConfig } from "./config.ts";

/** A frame the node sent. */
export interface Received {
  header: NodeToDaemon;
  payload: Uint8Array | null;
}

/** One node connection. */
export class Session {
  readonly received: Received[] = [];
  hello: NodeToDaemon | null = null;
  /** Resolves once `hello` arrived. */
  helloed: Promise<void>;
  #helloed!: () => void;
  #writer: FrameWriter;
  #reader: FrameReader;
  #queue: { header: object; payload: Uint8Array | null }[] = [];
  #pending = 0;
  #waiters: (() => void)[] = [];
  /** Resolves when the node closes the connection. */
  closed: Promise<void>;
  conn: Deno.UnixConn;

  constructor(conn: Deno.UnixConn) {
    this.conn = conn;
    this.helloed = new Promise((r) => this.#helloed = r);
    this.#writer = new FrameWriter(conn);
    this.#reader = new FrameReader(conn);
    this.closed = this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      for (let f: Frame | null; (f = await this.#reader.next());) {
        const header = asNodeToDaemon(f.header);
        if (header.t === "hello") {
          this.hello = header;
          this.#helloed();
        } else if (header.t === "next") {
          this.#pending = header.max ?? 1;
          this.#deliver();
        } else this.received.push({ header, payload: f.payload });
        const w = this.#waiters;
        this.#waiters = [];
        for (const r of w) r();
      }
    } catch { /* node went away */ }
  }

  /** Sends a frame right away (handshake frames, `release`). */
  send(header: object, payload: Uint8Array | null = null): Promise<void> {
    this.#writer.push(header, payload);
    return this.#writer.flush();
  }

  /** Queues an event frame for the next `next`. */
  push(header: object, payload: Uint8Array | null = null): void {
    this.#queue.push({ header, payload });
    this.#deliver();
  }

  /** Queues an input event carrying `value`. */
  input(
    id: string,
    value: SendableValue,
    params?: Record<string, never>,
  ): void {
    const enc = encodeValue(value);
    const payload = new Uint8Array(enc.size);
    enc.write(payload);
    const m = encodeMetadata(1763712000000000000n, params);
    this.push(
      enc.layout ? { t: "input", id, m, d: enc.layout } : { t: "input", id, m },
      payload,
    );
  }

  #deliver(): void {
    if (this.#pending === 0 || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#pending);
    this.#pending = 0;
    for (const f of batch) this.#writer.push(f.header, f.payload);
    this.#writer.push({ t: "batch_end" });
  }

  /** Waits until `pred` holds over the received frames. */
  async until(pred: (r: Received[]) => boolean): Promise<void> {
    while (!pred(this.received)) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** Received `output` headers/payloads. */
  outputs(): Received[] {
    return this.received.filter((r) => r.header.t === "output");
  }
}

/** The fake daemon: one listener in a temp dir. */
export class FakeDaemon {
  readonly dir: string;
  readonly socket: string;
  #listener: Deno.Listener<Deno.UnixConn>;

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = `${dir}/daemon.sock`;
    this.#listener = Deno.listen({ transport: "unix", path: this.socket });
  }

  /** Starts listening in a fresh temp dir. */
  static async start(): Promise<FakeDaemon> {
    return new FakeDaemon(await Deno.makeTempDir({ prefix: "dora-fake-" }));
  }

  /** A node configuration pointing at this daemon. */
  config(over: Partial<NodeConfig> = {}): NodeConfig {
    return {
      protocol: 1,
      dataflow_id: "0193a6f2-7c1e-7d2a-9b3c-4d5e6f708192",
      node_id: "node",
      socket: this.socket,
      inputs: { in: { source: "src/out" } },
      outputs: ["out"],
      restart_count: 0,
      zero_copy_threshold: 4096,
      shm: false,
      ...over,
    };
  }

  /**
   * Accepts one node, waits for its `hello` and answers `hello_ok` (with
   * `params`, if given) and (unless `ready: false`) `ready`.
   */
  async accept(
    opts: {
      ready?: boolean;
      refuse?: string;
      params?: Record<string, unknown>;
    } = {},
  ): Promise<Session> {
    const s = new Session(await this.#listener.accept());
    await s.helloed;
    if (opts.refuse) await s.send({ t: "error", message: opts.refuse });
    else {
      await s.send({
        t: "hello_ok",
        v: 1,
        daemon: "test",
        ...(opts.params ? { params: opts.params } : {}),
      });
      if (opts.ready !== false) await s.send({ t: "ready" });
    }
    return s;
  }

  /** Stops listening and removes the temp dir. */
  async close(): Promise<void> {
    this.#listener.close();
    await Deno.remove(this.dir, { recursive: true });
  }
}
