/**
 * The outbound send path of a node: values encoded into frames, big payloads
 * written into (or allocated in) shared memory, output closing. The Python
 * node API's counterpart is `_outbound.py`.
 *
 * @module
 */
import {
  type EncodedValue,
  encodeMetadata,
  encodeValue,
  type FrameWriter,
  type HybridLogicalClock,
  MAX_FRAME_LEN,
  outputHeaderJson,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";
import {
  type PooledRegion,
  regionPrefix,
  ShmPool,
} from "../../../src/shm/mod.ts";
import { libc, libcError } from "../../../src/shm/libc.ts";
import type { NodeConfig } from "./config.ts";
import type { TypeGuard } from "./type_check.ts";

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
  #idJsons = new Map<string, string>();
  /** Runtime type checks (`--type-check`); null when off. */
  #types: TypeGuard | null;
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
    if (config.shm) {
      const c = libc();
      if (c) {
        this.#pool = new ShmPool(c, {
          prefix: regionPrefix(config.dataflow_id, config.node_id),
          tokenPrefix: `${config.node_id}:${config.restart_count}:`,
          onCreate: (name, size) => writer.push({ t: "shm_new", name, size }),
          warn,
        });
      } else {
        warn(
          `shared memory is unavailable (${libcError()}); sending through the socket`,
        );
      }
    }
  }

  /** Outputs not closed yet. */
  get open(): string[] {
    return [...this.#outputs];
  }

  /** Regions of ours that every receiver released. */
  release(tokens: string[]): void {
    this.#pool?.release(tokens);
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
    for (const id of ids) this.#outputs.delete(id);
    this.#writer.push({ t: "close_outputs", o: ids });
  }

  /** Closes every output still open (the node is closing). */
  closeAll(tell: boolean): void {
    const open = [...this.#outputs];
    if (open.length && tell) this.#writer.push({ t: "close_outputs", o: open });
    this.#outputs.clear();
  }
}
