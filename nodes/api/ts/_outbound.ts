/**
 * The outbound send path of a node: values encoded into frames, big payloads
 * written into (or allocated in) shared memory, each message written to its
 * direct receivers' links (`_downstream.ts`) and to the daemon when its route
 * says so, output closing, and the counters of what went over links. The
 * Python node API's counterpart is `_outbound.py`.
 *
 * @module
 */
import {
  BINARY_INPUT,
  BINARY_OUTPUT,
  type EncodedValue,
  encodeMetadata,
  encodeValue,
  type FrameWriter,
  type HybridLogicalClock,
  MAX_FRAME_LEN,
  type OutputRoute,
  type Params,
  type SendableValue,
  type StatsHeader,
} from "../../../src/message/mod.ts";
import {
  type PooledRegion,
  regionPrefix,
  ShmPool,
} from "../../../src/shm/mod.ts";
import { shmCalls, shmCallsError } from "../../../src/shm/shm_calls.ts";
import type { NodeConfig } from "./config.ts";
import type { TypeGuard } from "./type_check.ts";
import { Downstream, type ResolvedRoute } from "./_downstream.ts";

/** Above this many buffered bytes, `sendOutput` waits for the socket. */
const HIGH_WATER = 1 << 20;
const RESOLVED = Promise.resolve();
/** Largest payload that fits in a socket frame (with room for the header). */
const SOCKET_MAX = MAX_FRAME_LEN - 64 * 1024;

/** The outputs of one node. */
export class Outbound {
  #config: NodeConfig;
  #writer: FrameWriter;
  #clock: HybridLogicalClock;
  #outputs: Set<string>;
  #pool: ShmPool | null = null;
  #samples = new WeakMap<ArrayBuffer, PooledRegion>();
  #idBytesCache = new Map<string, Uint8Array>();
  /** Runtime type checks (`--type-check`); null when off. */
  #types: TypeGuard | null;
  #downstream: Downstream;
  /** Counters of messages that went over links only (see `stats`). */
  #sent = 0;
  #shmSent = 0;
  #shmBytes = 0;
  #inlineSent = 0;
  /** Per output (for `dora node info` rates). */
  #sentBy: Record<string, number> = {};
  #lost = new Map<string, Record<string, number>>();
  #undelivered = new Map<string, number>();
  /** Bumped whenever a counter changes (a `stats` report is due). */
  changes = 0;
  /** The node was closed: sending throws. */
  closed = false;

  constructor(
    config: NodeConfig,
    writer: FrameWriter,
    clock: HybridLogicalClock,
    types: TypeGuard | null,
    warn: (message: string) => void,
  ) {
    this.#config = config;
    this.#types = types;
    this.#writer = writer;
    this.#clock = clock;
    this.#outputs = new Set(config.outputs);
    this.#downstream = new Downstream(config.dataflow_id, {
      release: (token) => this.#pool?.release([token]),
      lost: (receiver, input) => {
        let m = this.#lost.get(receiver);
        if (!m) this.#lost.set(receiver, m = {});
        m[input] = (m[input] ?? 0) + 1;
        this.changes++;
      },
      undelivered: (receiver, count) => {
        this.#undelivered.set(
          receiver,
          (this.#undelivered.get(receiver) ?? 0) + count,
        );
        this.changes++;
      },
      warn,
    }, config.secret);
    if (config.shm) {
      const c = shmCalls();
      if (c) {
        this.#pool = new ShmPool(c, {
          prefix: regionPrefix(config.dataflow_id, config.node_id),
          tokenPrefix: `${config.node_id}:${config.restart_count}:`,
          onCreate: (name, size) => writer.push({ t: "shm_new", name, size }),
          warn,
        });
      } else {
        warn(
          `shared memory is unavailable (${shmCallsError()}); sending through the socket`,
        );
      }
    }
  }

  /** Outputs not closed yet. */
  get open(): string[] {
    return [...this.#outputs];
  }

  /**
   * Listens for direct receivers on the configuration's `listen` socket;
   * whether the node can take direct receivers (`hello.direct`).
   */
  listen(): boolean {
    const path = this.#config.listen;
    return path !== undefined && this.#downstream.listen(path);
  }

  /** The daemon's `routes.out`. */
  setRoutes(out: Record<string, OutputRoute>): void {
    this.#downstream.setRoutes(out);
  }

  /** The daemon's `hand_over`: `node`'s process `pid` is being replaced. */
  handOver(node: string, pid: number): void {
    this.#downstream.handOver(node, pid);
  }

  /** The daemon released tokens (it and its receivers are done with them). */
  release(tokens: string[]): void {
    for (const t of tokens) this.#downstream.release(t);
  }

  /** The counters of a `stats` report (see docs/protocol.md). */
  stats(): Pick<
    StatsHeader,
    | "sent"
    | "shm_sent"
    | "shm_bytes"
    | "inline_sent"
    | "out"
    | "lost"
    | "undelivered"
  > {
    return {
      sent: this.#sent,
      out: { ...this.#sentBy },
      shm_sent: this.#shmSent,
      shm_bytes: this.#shmBytes,
      inline_sent: this.#inlineSent,
      lost: Object.fromEntries(this.#lost),
      undelivered: Object.fromEntries(this.#undelivered),
    };
  }

  #checkOutput(id: string): void {
    if (this.closed) throw new Error("the node is closed");
    if (!this.#outputs.has(id)) {
      const { outputs, node_id } = this.#config;
      const declared = outputs.length
        ? outputs.map((o) => `"${o}"`).join(", ")
        : "none";
      throw new Error(
        outputs.includes(id)
          ? `output "${id}" was closed`
          : `output "${id}" is not declared for node "${node_id}" (declared outputs: ${declared})`,
      );
    }
  }

  /** See `Node.sendOutput`. */
  send(id: string, value: SendableValue, params?: Params): Promise<void> {
    this.#checkOutput(id);
    const enc = encodeValue(value);
    if (this.#types !== null) this.#types.send(id, enc.layout?.dt, params);
    const m = encodeMetadata(this.#clock.now(), params);
    const region = this.#inPlace(enc) ?? this.#copyIn(enc);
    const route = this.#downstream.route(id);
    const targets = route.targets;
    if (region) {
      const token = this.#pool!.lend(region);
      const { name, size } = region.region;
      const shm = { name, size, token };
      let holders = route.daemon ? 1 : 0;
      for (let i = 0; i < targets.length; i++) if (targets[i].shm) holders++;
      this.#downstream.lend(token, holders);
      if (route.daemon) {
        this.#writer.pushMessage(
          BINARY_OUTPUT,
          this.#idBytes(id),
          m,
          enc.layout,
          shm,
        );
      }
      let inline: Uint8Array | undefined;
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i];
        if (t.shm) {
          t.link.writer.pushMessage(
            t.slot,
            BINARY_INPUT,
            t.idBytes,
            m,
            enc.layout,
            shm,
            null,
            token,
          );
          this.#downstream.hold(t.link, token);
        } else {
          // A receiver that cannot map shared memory gets the bytes.
          inline ??= regionPayload(region.bytes, enc);
          t.link.writer.pushMessage(
            t.slot,
            BINARY_INPUT,
            t.idBytes,
            m,
            enc.layout,
            undefined,
            inline,
          );
        }
      }
      if (!route.daemon) {
        this.#sent++;
        this.#sentBy[id] = (this.#sentBy[id] ?? 0) + 1;
        this.#shmSent++;
        this.#shmBytes += enc.size;
        this.changes++;
      }
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
      if (route.daemon) {
        this.#writer.pushMessage(
          BINARY_OUTPUT,
          this.#idBytes(id),
          m,
          enc.layout,
          undefined,
          enc,
        );
      }
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i];
        t.link.writer.pushMessage(
          t.slot,
          BINARY_INPUT,
          t.idBytes,
          m,
          enc.layout,
          undefined,
          enc,
        );
      }
      if (!route.daemon) {
        this.#sent++;
        this.#sentBy[id] = (this.#sentBy[id] ?? 0) + 1;
        this.#inlineSent += enc.size;
        this.changes++;
      }
    }
    return this.#kick(route);
  }

  /**
   * Writes now what waits (latency: a lone message goes out at once; while a
   * write is in flight, messages collect and go out together after it).
   * Resolves later only when a socket has much data waiting: the sender is
   * held back (a full backpressure receiver, a slow daemon).
   */
  #kick(route: ResolvedRoute): Promise<void> {
    let wait: Promise<void>[] | undefined;
    if (route.daemon) {
      this.#writer.kick();
      if (this.#writer.buffered > HIGH_WATER) {
        (wait ??= []).push(this.#writer.flush());
      }
    }
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const w = targets[i].link.writer;
      w.kick();
      if (w.buffered > HIGH_WATER) (wait ??= []).push(w.flush(true));
    }
    if (!wait) return RESOLVED;
    return Promise.all(wait).then(() => {});
  }

  /** The UTF-8 bytes of an output id, once per id. */
  #idBytes(id: string): Uint8Array {
    let bytes = this.#idBytesCache.get(id);
    if (bytes === undefined) {
      this.#idBytesCache.set(id, bytes = new TextEncoder().encode(id));
    }
    return bytes;
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
      enc.size < this.#config.zero_copy_threshold
    ) return null;
    const region = this.#pool.acquire(enc.size, enc.size > SOCKET_MAX);
    if (region) enc.write(region.bytes);
    return region;
  }

  /** See `Node.allocate`. */
  allocate(id: string, byteLength: number): Uint8Array {
    this.#checkOutput(id);
    if (this.#pool && byteLength >= this.#config.zero_copy_threshold) {
      const region = this.#pool.acquire(byteLength, byteLength > SOCKET_MAX);
      if (region) {
        this.#samples.set(region.region.buffer, region);
        return region.bytes.subarray(0, byteLength);
      }
    }
    return new Uint8Array(byteLength);
  }

  /** See `Node.closeOutputs`. */
  closeOutputs(ids: string[]): void {
    for (const id of ids) this.#checkOutput(id);
    this.#close(ids, true);
  }

  /**
   * Closes outputs: `input_closed` on every link they feed (behind the
   * messages already sent there), and `close_outputs` to the daemon.
   */
  #close(ids: string[], tell: boolean): void {
    for (const id of ids) {
      this.#outputs.delete(id);
      const targets = this.#downstream.route(id).targets;
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i];
        t.link.writer.push(
          t.link.controlSlot,
          `{"t":"input_closed","id":${t.idJson}}`,
          null,
        );
        t.link.writer.kick();
      }
    }
    if (ids.length && tell) this.#writer.push({ t: "close_outputs", o: ids });
  }

  /**
   * The node is closing: every output still open is closed on its links
   * (behind what was sent there); `close_outputs` goes to the daemon only
   * with {@link tellClosed}, after {@link relayPending}, so that the daemon
   * has what it relays before it closes the receivers' inputs.
   */
  closeAll(): string[] {
    const ids = [...this.#outputs];
    this.#close(ids, false);
    return ids;
  }

  /** `close_outputs` for `ids` to the daemon. */
  tellClosed(ids: string[]): void {
    if (ids.length) this.#writer.push({ t: "close_outputs", o: ids });
  }

  /** Waits (a bounded time) until every direct receiver linked. */
  linked(timeoutMs: number): Promise<void> {
    return this.#downstream.attached(timeoutMs);
  }

  /** Waits until what was sent went out to the connected receivers. */
  flushLinks(): Promise<void> {
    return this.#downstream.flush();
  }

  /** Waits until what was sent went out to the daemon and to connected receivers. */
  async flush(): Promise<void> {
    await Promise.all([this.#writer.flush(), this.#downstream.flush()]);
  }

  /** Hands what waits for unconnected receivers to the daemon (closing). */
  relayPending(): void {
    this.#downstream.relayPending((to, frames) =>
      this.#writer.push({ t: "relay", to }, frames)
    );
  }

  /** Stops listening and closes the links (after {@link flush}). */
  closeLinks(): void {
    this.#downstream.close();
  }
}

/**
 * The payload of an inline frame for a message whose buffers sit in a
 * region: the region's bytes up to the end of the last buffer (the layout's
 * offsets then hold in the frame as well).
 */
function regionPayload(bytes: Uint8Array, enc: EncodedValue): Uint8Array {
  let end = 0;
  for (const p of enc.parts) end = Math.max(end, p.ref[0] + p.ref[1]);
  return bytes.subarray(0, end);
}
