/**
 * The TypeScript node API's façade: `Node.init()`, the event stream,
 * `sendOutput`. The work is split like the Python node API, file for file:
 * `_handshake.ts` (configuration, connection, `hello`, `ready`),
 * `_inbound.ts` (the event path) and `_outbound.ts` (the send path).
 *
 * @module
 */
import {
  FrameWriter,
  HybridLogicalClock,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";
import type { NodeConfig } from "./config.ts";
import type { Event } from "./events.ts";
import {
  connect,
  type Connection,
  handshake,
  type NodeInitOptions,
} from "./_handshake.ts";
import { Inbound } from "./_inbound.ts";
import { Outbound } from "./_outbound.ts";
import { TypeGuard } from "./type_check.ts";

export { type NodeInitOptions, resolveDynamicConfig } from "./_handshake.ts";

/** How long `init` waits for the direct receivers to link. */
const LINK_WAIT_MS = 2000;

/** How often a node reports its direct-delivery counters while they change. */
const STATS_MS = 500;
/**
 * How long a program that ended without `close()` is kept alive for what it
 * sent to go out (a receiver that stopped reading does not hold it longer).
 */
const EXIT_FLUSH_MS = 5000;

/** Log levels understood by the daemon. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * A dora node: receives events from its daemon and sends outputs.
 *
 * @example
 * ```ts
 * import { Node } from "dora";
 * const node = await Node.init();
 * for await (const event of node) {
 *   if (event.type === "INPUT") {
 *     await node.sendOutput("out", event.value, { seen: true });
 *   }
 * }
 * ```
 */
export class Node implements AsyncIterable<Event>, AsyncDisposable {
  /** The configuration this node runs with. */
  readonly config: NodeConfig;
  #conn: Deno.UnixConn;
  #writer: FrameWriter;
  #inbound: Inbound;
  #outbound: Outbound;
  #closed = false;
  #exiting = false;
  #stopWatchdog: () => void = () => {};
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #reported = 0;

  private constructor(c: Connection) {
    this.config = c.config;
    this.#conn = c.conn;
    this.#writer = c.writer;
    const clock = new HybridLogicalClock();
    const warn = (message: string) => this.log("warn", message);
    // Runtime type checks (`--type-check`); null when off.
    const types = c.config.types
      ? new TypeGuard(c.config.node_id, c.config.types, warn)
      : null;
    this.#outbound = new Outbound(c.config, c.writer, clock, types, warn);
    this.#inbound = new Inbound(
      c.config,
      c.conn,
      c.reader,
      c.writer,
      clock,
      types,
      {
        onRelease: (tokens) => this.#outbound.release(tokens),
        onRoutes: (h) => this.#outbound.setRoutes(h.out),
        onHandOver: (node, pid) => this.#outbound.handOver(node, pid),
        onEnd: () => this.#report(true),
      },
    );
  }

  /**
   * Sends the counters of direct delivery to the daemon when they changed
   * (every {@link STATS_MS} while messages flow, and at the end).
   */
  #report(final = false): void {
    const changes = this.#inbound.changes + this.#outbound.changes;
    if (changes === this.#reported || this.#inbound.eof || this.#closed) return;
    this.#reported = changes;
    try {
      this.#writer.push({
        t: "stats",
        ...this.#outbound.stats(),
        ...this.#inbound.stats(),
      });
      this.#writer.kick();
    } catch {
      return; // the daemon is gone
    }
    if (final) {
      // The process may be about to exit: the report must reach the daemon.
      this.#conn.ref();
      this.#writer.flush().catch(() => {}).finally(() => this.#conn.unref());
    }
  }

  /**
   * Connects to the daemon (configuration from `DORA_NODE_CONFIG`), says
   * hello and resolves once the daemon sends `ready` (every node of the
   * dataflow is up). Throws {@link NodeInitError} with a message saying what
   * to fix; a missing Deno permission is also printed to stderr.
   */
  static async init(options: NodeInitOptions = {}): Promise<Node> {
    const c = await connect(options);
    const node = new Node(c);
    try {
      const direct = node.#outbound.listen();
      await handshake(c, direct, (h, f) => node.#inbound.onFrame(h, f));
    } catch (e) {
      c.stopWatchdog();
      node.#outbound.closeLinks();
      node.#inbound.closeLinks();
      c.conn.close();
      throw e;
    }
    node.#stopWatchdog = c.stopWatchdog;
    c.conn.unref();
    node.#inbound.readLoop();
    // The receivers link right after their routes: the first messages then
    // go straight to them.
    await node.#outbound.linked(LINK_WAIT_MS);
    node.#statsTimer = setInterval(() => node.#report(), STATS_MS);
    Deno.unrefTimer(node.#statsTimer as unknown as number);
    globalThis.addEventListener("beforeunload", node.#onExit);
    return node;
  }

  /** This node's id. */
  get nodeId(): string {
    return this.config.node_id;
  }
  /** The dataflow's UUID. */
  get dataflowId(): string {
    return this.config.dataflow_id;
  }
  /** How many times this node was restarted (0 on the first start). */
  get restartCount(): number {
    return this.config.restart_count;
  }
  /**
   * The node's runtime parameters (key → JSON value): its `params:` or the
   * values set with `dora param set` when it started, then each change as
   * its `PARAM_UPDATE` / `PARAM_DELETED` event is handed out. A copy.
   */
  get params(): Record<string, unknown> {
    return structuredClone(this.#inbound.params);
  }
  /** Input ids of this node. */
  get inputs(): string[] {
    return Object.keys(this.config.inputs);
  }
  /** Output ids of this node. */
  get outputs(): string[] {
    return [...this.config.outputs];
  }

  /**
   * The next event, or `null` once the stream ended (after `STOP`, or when
   * the daemon went away). The previous input event is released unless it
   * was retained.
   */
  recv(): Promise<Event | null> {
    return this.#inbound.recv();
  }

  /** Iterates events until `STOP` or until the daemon goes away. */
  [Symbol.asyncIterator](): AsyncIterator<Event> {
    return this.#inbound.iterator();
  }

  /**
   * Sends `value` on output `id` with optional parameters. Fire-and-forget:
   * the data is copied at once (reuse your buffers freely) and frames are
   * written in batches; the promise resolves at once unless much data is
   * waiting for the socket. Throws at once for an undeclared output, a
   * value that cannot be sent, or (with `--type-check error`) a value whose
   * Arrow type does not match the output's type annotation.
   *
   * `value`: an apache-arrow Vector or Data, a typed array, a number (f64), a
   * bigint (i64), a boolean, a string, an array of those, or `null` for an
   * empty message.
   */
  sendOutput(id: string, value: SendableValue, params?: Params): Promise<void> {
    return this.#outbound.send(id, value, params);
  }

  /**
   * A writable buffer of `byteLength` bytes for output `id`, in shared memory
   * when the node may use it and the size reaches the zero-copy threshold
   * (otherwise ordinary memory). Fill it, then pass it (or a typed-array or
   * Vector view over it, e.g. `new Float32Array(s.buffer, s.byteOffset, n)`)
   * to `sendOutput`: the bytes are sent without a copy. Do not touch it after
   * sending.
   */
  allocate(id: string, byteLength: number): Uint8Array {
    return this.#outbound.allocate(id, byteLength);
  }

  /** Closes outputs early: downstream inputs see `INPUT_CLOSED`. */
  closeOutputs(ids: string[]): void {
    this.#outbound.closeOutputs(ids);
  }

  /**
   * Asks the daemon to stop the whole dataflow (every node gets `STOP`);
   * what an operator's `STOP_ALL` does.
   */
  stopDataflow(): void {
    if (this.#closed || this.#inbound.eof) return;
    this.#writer.push({ t: "stop_dataflow" });
    this.#writer.kick();
  }

  /**
   * Waits until everything sent so far has been written to the daemon's
   * socket and to the links of the receivers that are connected.
   */
  flush(): Promise<void> {
    this.#report();
    return this.#outbound.flush();
  }

  /**
   * Prints one structured log line (`{"level","message","target","fields"}`)
   * to stdout; the daemon parses it into the node's log.
   */
  log(
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    console.log(
      JSON.stringify({
        level,
        message,
        target: this.nodeId,
        fields: fields ?? {},
      }),
    );
  }

  /**
   * The program ended without `close()`: its sockets do not keep the process
   * alive, so frames still being written would be lost. They go out first
   * (for at most {@link EXIT_FLUSH_MS}); the outputs are not closed, so the
   * runtime still sees a process exit (restarts keep their meaning).
   */
  #onExit = (): void => {
    if (this.#closed || this.#exiting) return;
    this.#exiting = true;
    const keepAlive = setTimeout(() => {}, EXIT_FLUSH_MS);
    Promise.allSettled([this.#outbound.flushLinks(), this.#outbound.flush()])
      .finally(() => clearTimeout(keepAlive));
  };

  /** Closes the remaining outputs and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    globalThis.removeEventListener("beforeunload", this.#onExit);
    const closed = this.#outbound.closeAll();
    clearInterval(this.#statsTimer);
    try {
      // Connected receivers get what waits for them; what waits for the
      // others (not connected yet, or restarting) goes to the daemon, before
      // it hears that the outputs are closed.
      await this.#outbound.flushLinks();
      this.#outbound.relayPending();
      if (!this.#inbound.eof) this.#outbound.tellClosed(closed);
      this.#report();
      await this.#outbound.flush();
    } catch { /* the daemon is gone: nothing to tell it */ }
    this.#outbound.closeLinks();
    this.#inbound.closeLinks();
    this.#closed = true;
    this.#inbound.closed = true;
    this.#outbound.closed = true;
    this.#stopWatchdog();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#inbound.wake();
  }

  /** `await using node = await Node.init()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
