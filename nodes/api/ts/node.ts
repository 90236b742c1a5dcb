/**
 * The TypeScript node API: `Node.init()`, the event stream, `sendOutput`.
 *
 * @module
 */
import { TypeGuard } from "./type_check.ts";
import {
  asDaemonToNode,
  type DaemonToNode,
  decodeMetadata,
  decodeValue,
  type EncodedValue,
  encodeMetadata,
  encodeValue,
  type Frame,
  FrameReader,
  FrameWriter,
  type HelloHeader,
  HybridLogicalClock,
  MAX_FRAME_LEN,
  outputHeaderJson,
  type Params,
  PROTOCOL_VERSION,
  type SendableValue,
} from "../../../src/message/mod.ts";
import { configFromEnv, type NodeConfig, NodeInitError } from "./config.ts";
import { type Event, type InputEvent, inputEvent } from "./events.ts";
import { startWatchdog } from "./watchdog.ts";
import { discoverDynamicConfig } from "./dynamic.ts";
import {
  type PooledRegion,
  regionPrefix,
  ShmMappings,
  ShmPool,
} from "../../../src/shm/mod.ts";
import { libc, libcError } from "../../../src/shm/libc.ts";

/** Options of {@link Node.init}. */
export interface NodeInitOptions {
  /**
   * Connect as a dynamic node with this id (`path: dynamic` in the dataflow):
   * the configuration comes from a daemon on this machine, see
   * {@link resolveDynamicConfig}.
   */
  nodeId?: string;
  /** Use this configuration instead of `DORA_NODE_CONFIG` (tests). */
  config?: NodeConfig;
}

/** Log levels understood by the daemon. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * Most events requested per `next`. The daemon's per-input queues still bound
 * what a batch can hold (a `queue_size: 1` input contributes at most one).
 */
const BATCH = 256;
const NEXT = JSON.stringify({ t: "next", max: BATCH });
/** Above this many buffered bytes, `sendOutput` waits for the socket. */
const HIGH_WATER = 1 << 20;
const RESOLVED = Promise.resolve();
/** Largest payload that fits in a socket frame (with room for the header). */
const SOCKET_MAX = MAX_FRAME_LEN - 64 * 1024;

/**
 * Backstop only: an input whose value was dropped without `release()` gives
 * its shared-memory region back when the value is garbage-collected. GC does
 * not see mapped memory, so this may come late: release explicitly.
 */
const leaked = new FinalizationRegistry<() => void>((release) => release());

/**
 * The configuration of dynamic node `nodeId` (`path: dynamic`): from
 * `DORA_NODE_CONFIG` when it names this node, else asked from the daemons
 * on this machine (see docs/protocol.md, "Dynamic nodes").
 */
export function resolveDynamicConfig(nodeId: string): Promise<NodeConfig> {
  const raw = Deno.env.get("DORA_NODE_CONFIG");
  if (raw !== undefined) {
    const config = configFromEnv();
    if (config.node_id === nodeId) return Promise.resolve(config);
  }
  return discoverDynamicConfig(nodeId);
}

function describePermissionError(e: Error, socket?: string): string {
  const where = socket
    ? ` It needs --allow-read=${socket} --allow-write=${socket} --allow-net=unix:${socket} to reach the daemon (set \`permissions:\` on the node in the dataflow).`
    : "";
  return `dora node cannot start, a permission is missing: ${e.message}.${where}`;
}

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
  #reader: FrameReader;
  #writer: FrameWriter;
  #clock = new HybridLogicalClock();
  #outputs: Set<string>;
  #queue: Event[] = [];
  #requested = false;
  /** Events of the batch being received; whether the last batch was full. */
  #batchCount = 0;
  #lastBatchFull = false;
  #eof = false;
  #stopped = false;
  #closed = false;
  #waiter: (() => void) | null = null;
  #last: (InputEvent & { retained: boolean }) | null = null;
  #stopWatchdog: () => void = () => {};
  #pool: ShmPool | null = null;
  #mappings: ShmMappings | null = null;
  #samples = new WeakMap<ArrayBuffer, PooledRegion>();
  /** Runtime type checks (`--type-check`); null when off. */
  #types: TypeGuard | null = null;
  #idJsons = new Map<string, string>();

  private constructor(config: NodeConfig, conn: Deno.UnixConn) {
    this.config = config;
    this.#conn = conn;
    this.#reader = new FrameReader(conn);
    this.#writer = new FrameWriter(conn);
    this.#outputs = new Set(config.outputs);
    if (config.types) {
      this.#types = new TypeGuard(
        config.node_id,
        config.types,
        (message) => this.log("warn", message),
      );
    }
    if (config.shm) {
      const c = libc();
      if (c) {
        this.#pool = new ShmPool(c, {
          prefix: regionPrefix(config.dataflow_id, config.node_id),
          tokenPrefix: `${config.node_id}:${config.restart_count}:`,
          onCreate: (name, size) =>
            this.#writer.push({ t: "shm_new", name, size }),
          warn: (message) => this.log("warn", message),
        });
      } else {
        this.log(
          "warn",
          `shared memory is unavailable (${libcError()}); sending through the socket`,
        );
      }
    }
  }

  /**
   * Connects to the daemon (configuration from `DORA_NODE_CONFIG`), says
   * hello and resolves once the daemon sends `ready` (every node of the
   * dataflow is up). Throws {@link NodeInitError} with a message saying what
   * to fix; a missing Deno permission is also printed to stderr.
   */
  static async init(options: NodeInitOptions = {}): Promise<Node> {
    let config: NodeConfig;
    try {
      config = options.config ??
        (options.nodeId !== undefined
          ? await resolveDynamicConfig(options.nodeId)
          : configFromEnv());
    } catch (e) {
      throw Node.#initError(e);
    }
    // Armed first, so a daemon that dies during the handshake takes us along.
    const stopWatchdog = startWatchdog(config.parent_pid);
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path: config.socket });
    } catch (e) {
      stopWatchdog();
      throw Node.#initError(e, config.socket);
    }
    const node = new Node(config, conn);
    try {
      await node.#handshake();
    } catch (e) {
      stopWatchdog();
      conn.close();
      throw e;
    }
    node.#stopWatchdog = stopWatchdog;
    conn.unref();
    node.#readLoop();
    return node;
  }

  static #initError(e: unknown, socket?: string): Error {
    if (e instanceof Deno.errors.NotCapable) {
      const message = describePermissionError(e, socket);
      console.error(`error: ${message}`);
      return new NodeInitError(message);
    }
    if (e instanceof NodeInitError) return e;
    if (socket) {
      return new NodeInitError(
        `cannot connect to the dora daemon at ${socket}: ${
          (e as Error).message
        }`,
      );
    }
    return e as Error;
  }

  async #handshake(): Promise<void> {
    const { config } = this;
    const hello: HelloHeader = {
      t: "hello",
      v: PROTOCOL_VERSION,
      node: config.node_id,
      df: config.dataflow_id,
      lang: "ts",
      pid: Deno.pid,
    };
    // Allowed shared memory but cannot map it: tell the daemon to send inline.
    if (config.shm && !libc()) hello.shm = false;
    this.#writer.push(hello);
    let helloOk = false;
    for (;;) {
      const frame = await this.#reader.next();
      if (!frame) {
        throw new NodeInitError(
          helloOk
            ? "the dora daemon closed the connection before the dataflow was ready"
            : "the dora daemon closed the connection during the handshake",
        );
      }
      const h = asDaemonToNode(frame.header);
      if (h.t === "error") {
        throw new NodeInitError(
          `the dora daemon refused this node: ${h.message}`,
        );
      }
      if (h.t === "hello_ok") helloOk = true;
      else if (h.t === "ready" && helloOk) return;
      else this.#onFrame(h, frame);
    }
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
  /** Input ids of this node. */
  get inputs(): string[] {
    return Object.keys(this.config.inputs);
  }
  /** Output ids of this node. */
  get outputs(): string[] {
    return [...this.config.outputs];
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        let frame = await this.#reader.next();
        if (!frame) break;
        // Everything already buffered (a whole batch) in this tick.
        while (frame) {
          this.#onFrame(asDaemonToNode(frame.header), frame);
          frame = this.#reader.tryNext();
        }
        // Once per batch: a waiting consumer takes its event synchronously.
        this.#wake();
      }
    } catch (e) {
      // A reset is the daemon going away, like EOF; anything else is reported.
      const gone = e instanceof Deno.errors.ConnectionReset ||
        e instanceof Deno.errors.BrokenPipe;
      if (!this.#closed && !gone) {
        this.#queue.push({
          type: "ERROR",
          error: `connection to the dora daemon failed: ${
            (e as Error).message
          }`,
        });
      }
    }
    this.#eof = true;
    this.#wake();
  }

  #onFrame(h: DaemonToNode, frame: Frame): void {
    if (
      h.t !== "batch_end" && h.t !== "release" && h.t !== "hello_ok" &&
      h.t !== "ready"
    ) this.#batchCount++;
    switch (h.t) {
      case "input": {
        const metadata = decodeMetadata(h.m);
        this.#clock.update(metadata.timestamp);
        if (this.#types !== null) {
          const problem = this.#types.receive(
            h.id,
            h.d?.dt,
            metadata.parameters,
          );
          if (problem !== undefined) {
            if (h.shm) this.#releaseToken(h.shm.token);
            this.#queue.push({ type: "ERROR", error: problem });
            break;
          }
        }
        if (!h.shm) {
          // Decoded on first read of `event.value` (see inputEvent).
          const { d, id } = h;
          const payload = frame.payload;
          this.#queue.push(
            inputEvent(id, () => decodeValue(d, payload), metadata, null),
          );
          break;
        }
        const token = h.shm.token;
        let bytes: Uint8Array;
        try {
          bytes = this.#mapRegion(h.shm.name, h.shm.size);
        } catch (e) {
          this.#releaseToken(token);
          this.#queue.push({
            type: "ERROR",
            error: `input "${h.id}": cannot map shared memory ${h.shm.name}: ${
              (e as Error).message
            }`,
          });
          break;
        }
        const value = decodeValue(h.d, bytes);
        const unregister = {};
        const event = inputEvent(h.id, value, metadata, () => {
          leaked.unregister(unregister);
          this.#releaseToken(token);
        });
        leaked.register(value, () => this.#releaseToken(token), unregister);
        this.#queue.push(event);
        break;
      }
      case "input_closed":
        this.#queue.push({ type: "INPUT_CLOSED", id: h.id });
        break;
      case "input_recovered":
        this.#queue.push({ type: "INPUT_RECOVERED", id: h.id });
        break;
      case "node_restarted":
        this.#queue.push({ type: "NODE_RESTARTED", id: h.id });
        break;
      case "node_failed":
        this.#queue.push({
          type: "NODE_FAILED",
          id: h.id,
          inputs: h.inputs,
          error: h.error,
        });
        break;
      case "stop":
        this.#queue.push({ type: "STOP", cause: h.cause });
        break;
      case "error":
        this.#queue.push({ type: "ERROR", error: h.message });
        break;
      case "batch_end":
        this.#requested = false;
        // A full batch means more is waiting: ask again before the queue
        // runs dry. After a partial one the daemon's queues were empty, so
        // the request waits until the node wants more (it then is not
        // written between an event's arrival and its handover).
        this.#lastBatchFull = this.#batchCount >= BATCH;
        this.#batchCount = 0;
        break;
      case "release":
        this.#pool?.release(h.tokens);
        break;
      case "hello_ok":
      case "ready":
        break;
    }
  }

  #mapRegion(name: string, size: number): Uint8Array {
    if (!this.#mappings) {
      const c = libc();
      if (!c) {
        throw new Error(
          `this node cannot map shared memory (${libcError()}); the daemon should send it data inline`,
        );
      }
      this.#mappings = new ShmMappings(c);
    }
    return this.#mappings.bytes(name, size);
  }

  #releaseToken(token: string): void {
    if (this.#closed || this.#eof) return;
    this.#writer.push({ t: "release", tokens: [token] });
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  #request(): void {
    if (this.#requested || this.#eof || this.#stopped || this.#closed) return;
    this.#requested = true;
    this.#writer.pushJson(NEXT);
  }

  /** Releases the previous input (unless retained). */
  #releaseLast(): void {
    const last = this.#last;
    if (last) {
      this.#last = null;
      if (!last.retained) last.release();
    }
  }

  /** A buffered event, `null` at the end, `undefined` when we must wait. */
  #take(): Event | null | undefined {
    if (this.#stopped) return null;
    const event = this.#queue.shift();
    if (event) {
      if (event.type === "STOP") this.#stopped = true;
      else if (event.type === "INPUT") {
        this.#last = event as InputEvent & { retained: boolean };
      }
      // Prefetch after a full batch: ask for the next one while this event
      // is processed.
      if (this.#queue.length === 0 && this.#lastBatchFull) this.#request();
      return event;
    }
    if (this.#eof || this.#closed) return null;
    this.#request();
    return undefined;
  }

  /**
   * The next event, or `null` once the stream ended (after `STOP`, or when
   * the daemon went away). The previous input event is released unless it
   * was retained.
   */
  async recv(): Promise<Event | null> {
    this.#releaseLast();
    for (;;) {
      const event = this.#take();
      if (event !== undefined) return event;
      // Waiting for the daemon keeps the process alive; otherwise it may exit.
      this.#conn.ref();
      try {
        await new Promise<void>((resolve) => this.#waiter = resolve);
      } finally {
        this.#conn.unref();
      }
    }
  }

  /** Iterates events until `STOP` or until the daemon goes away. */
  [Symbol.asyncIterator](): AsyncIterator<Event> {
    const result = (e: Event | null): IteratorResult<Event> =>
      e ? { value: e, done: false } : { value: undefined, done: true };
    return {
      next: () => {
        // Fast path without an async function when an event is buffered.
        this.#releaseLast();
        const e = this.#take();
        if (e !== undefined) return Promise.resolve(result(e));
        // Otherwise the read loop's wake-up resolves the promise `for await`
        // waits on directly (no async function or `.then` hop in between).
        this.#conn.ref();
        return new Promise<IteratorResult<Event>>((resolve) => {
          const check = () => {
            const e = this.#take();
            if (e === undefined) {
              this.#waiter = check;
              return;
            }
            this.#conn.unref();
            resolve(result(e));
          };
          this.#waiter = check;
        });
      },
      return: () => {
        this.#releaseLast();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #checkOutput(id: string): void {
    if (this.#closed) throw new Error("the node is closed");
    if (!this.#outputs.has(id)) {
      const declared = this.config.outputs.length
        ? this.config.outputs.map((o) => `"${o}"`).join(", ")
        : "none";
      throw new Error(
        this.config.outputs.includes(id)
          ? `output "${id}" was closed`
          : `output "${id}" is not declared for node "${this.nodeId}" (declared outputs: ${declared})`,
      );
    }
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
    this.#checkOutput(id);
    const enc = encodeValue(value);
    if (this.#types !== null) this.#types.send(id, enc.layout?.dt, params);
    const m = encodeMetadata(this.#clock.now(), params);
    const region = this.#inPlace(enc) ?? this.#copyIn(enc);
    const idJson = this.#idJson(id);
    if (region) {
      const token = this.#pool!.lend(region);
      const { name, size } = region.region;
      this.#writer.pushJson(
        outputHeaderJson(idJson, m, enc.layout, { name, size, token }),
      );
    } else {
      if (enc.size > SOCKET_MAX) {
        throw new RangeError(
          `output "${id}": ${enc.size} bytes do not fit in one socket frame (64 MiB); ${
            this.#pool
              ? "shared memory is full"
              : "large messages need shared memory (run the node with FFI permission)"
          }`,
        );
      }
      this.#writer.pushJson(outputHeaderJson(idJson, m, enc.layout), enc);
    }
    // Out now when the socket is idle (latency); while a write is in
    // flight, outputs collect and go out together when it completes.
    this.#writer.kick();
    return this.#writer.buffered > HIGH_WATER ? this.#writer.flush() : RESOLVED;
  }

  /** `JSON.stringify(id)` of an output id, once per id. */
  #idJson(id: string): string {
    let json = this.#idJsons.get(id);
    if (json === undefined) this.#idJsons.set(id, json = JSON.stringify(id));
    return json;
  }

  /** An allocated sample whose bytes already are the payload: rewrite offsets, no copy. */
  #inPlace(enc: EncodedValue): PooledRegion | null {
    if (!enc.parts.length) return null;
    const buffer = enc.parts[0].bytes.buffer as ArrayBuffer;
    const region = this.#samples.get(buffer);
    if (!region) return null;
    this.#samples.delete(buffer);
    const inside = enc.parts.every((p) =>
      p.bytes.buffer === buffer && p.bytes.byteOffset % 64 === 0
    );
    if (!inside) {
      // Mixed buffers: copy everything into another region (or the socket).
      this.#pool!.putBack(region);
      return null;
    }
    for (const p of enc.parts) p.ref[0] = p.bytes.byteOffset;
    return region;
  }

  /** A pooled region with the payload copied in, for big payloads; null → socket. */
  #copyIn(enc: EncodedValue): PooledRegion | null {
    if (
      !this.#pool || enc.size === 0 ||
      enc.size < this.config.zero_copy_threshold
    ) return null;
    const region = this.#pool.acquire(enc.size, enc.size > SOCKET_MAX);
    if (region) enc.write(region.bytes);
    return region;
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
    this.#checkOutput(id);
    if (this.#pool && byteLength >= this.config.zero_copy_threshold) {
      const region = this.#pool.acquire(byteLength, byteLength > SOCKET_MAX);
      if (region) {
        this.#samples.set(region.region.buffer, region);
        return region.bytes.subarray(0, byteLength);
      }
    }
    return new Uint8Array(byteLength);
  }

  /** Closes outputs early: downstream inputs see `INPUT_CLOSED`. */
  closeOutputs(ids: string[]): void {
    for (const id of ids) this.#checkOutput(id);
    for (const id of ids) this.#outputs.delete(id);
    this.#writer.push({ t: "close_outputs", o: ids });
  }

  /**
   * Asks the daemon to stop the whole dataflow (every node gets `STOP`);
   * what an operator's `STOP_ALL` does.
   */
  stopDataflow(): void {
    if (this.#closed || this.#eof) return;
    this.#writer.push({ t: "stop_dataflow" });
    this.#writer.kick();
  }

  /** Waits until everything sent so far has been written to the socket. */
  flush(): Promise<void> {
    return this.#writer.flush();
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

  /** Closes the remaining outputs and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const open = [...this.#outputs];
    if (open.length && !this.#eof) {
      this.#writer.push({ t: "close_outputs", o: open });
    }
    this.#outputs.clear();
    try {
      await this.#writer.flush();
    } catch { /* the daemon is gone: nothing to tell it */ }
    this.#closed = true;
    this.#stopWatchdog();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#wake();
  }

  /** `await using node = await Node.init()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
