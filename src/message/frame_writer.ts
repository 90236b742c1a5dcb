/**
 * Coalescing frame writer: frames pushed in the same tick go out in one
 * `write` call; while a write is in flight new frames collect in a second
 * buffer (double buffering), so there is at most one write outstanding.
 * `kick()` starts the write at once (same tick) when none is in flight: a
 * latency-sensitive caller pushes a batch, then kicks.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";
import {
  BINARY_INPUT,
  BINARY_OUTPUT,
  binaryHeaderBound,
  writeBinaryHeader,
} from "./binary_header.ts";
import type { ShmRef } from "./header.ts";
import type { DataLayout } from "./layout_types.ts";
import type { WireMetadata } from "./metadata.ts";
import {
  align64,
  frameSize,
  MAX_FRAME_LEN,
  type PayloadSource,
} from "./frame.ts";

/** Where frames go (a `Deno.Conn` fits). */
export interface ByteSink {
  write(p: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** Bytes of a payload argument (0 for none). */
export function payloadSizeOf(
  payload: Uint8Array | PayloadSource | null | undefined,
): number {
  if (!payload) return 0;
  return payload instanceof Uint8Array ? payload.length : payload.size;
}

/**
 * Encodes frames into a pending buffer and flushes it on a microtask.
 *
 * @example
 * ```ts
 * const writer = new FrameWriter(conn);
 * writer.push({ t: "next" });
 * await writer.flush();
 * ```
 */
export class FrameWriter {
  #sink: ByteSink;
  #buf: Uint8Array;
  #view: DataView;
  #spare: Uint8Array;
  #spareView: DataView;
  #len = 0;
  #writing = false;
  #scheduled = false;
  #error: Error | null = null;
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  /** `initialSize` is the starting size of each of the two buffers. */
  constructor(sink: ByteSink, initialSize = 64 * 1024) {
    this.#sink = sink;
    this.#buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.#buf.buffer);
    this.#spare = new Uint8Array(initialSize);
    this.#spareView = new DataView(this.#spare.buffer);
  }

  /** Bytes pushed but not yet handed to the sink. */
  get buffered(): number {
    return this.#len;
  }

  /** The first write error, if any (later pushes throw it). */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Appends one frame. Synchronous: the header and payload are copied now, so
   * the caller may reuse its buffers at once. Throws on an earlier write error
   * or a frame over 64 MiB.
   */
  push(header: object, payload?: Uint8Array | PayloadSource | null): void {
    if (this.#error) throw this.#error;
    const h = header as Record<string, unknown>;
    if (h.t === "input" || h.t === "output") {
      // Message frames go with a binary header (see binary_header.ts).
      this.pushMessage(
        h.t === "output" ? BINARY_OUTPUT : BINARY_INPUT,
        encoder.encode((h.t === "output" ? h.o : h.id) as string),
        h.m as WireMetadata,
        h.d as DataLayout | undefined,
        h.shm as ShmRef | undefined,
        payload,
      );
      return;
    }
    this.pushJson(JSON.stringify(header), payload);
  }

  /**
   * Appends a message frame (`output` or `input`) with a binary header
   * written straight into the buffer; `idBytes` is the UTF-8 of its id
   * (callers cache it).
   */
  pushMessage(
    kind: number,
    idBytes: Uint8Array,
    m: WireMetadata,
    d: DataLayout | undefined,
    shm: ShmRef | undefined,
    payload?: Uint8Array | PayloadSource | null,
  ): void {
    if (this.#error) throw this.#error;
    const payloadSize = payloadSizeOf(payload);
    this.#reserve(
      8 + binaryHeaderBound(idBytes, m, d, shm) + 63 + payloadSize,
    );
    const start = this.#len;
    const headerLen = writeBinaryHeader(
      this.#buf,
      this.#view,
      start + 8,
      kind,
      idBytes,
      m,
      d,
      shm,
    );
    this.#finish(start, headerLen, payload, payloadSize);
  }

  /** Appends a frame whose header bytes are given as they are (forwarding). */
  pushHeaderBytes(
    header: Uint8Array,
    payload?: Uint8Array | PayloadSource | null,
  ): void {
    if (this.#error) throw this.#error;
    const payloadSize = payloadSizeOf(payload);
    this.#reserve(8 + header.length + 63 + payloadSize);
    const start = this.#len;
    this.#buf.set(header, start + 8);
    this.#finish(start, header.length, payload, payloadSize);
  }

  /** Length fields, padding and payload of a frame whose header is written. */
  #finish(
    start: number,
    headerLen: number,
    payload: Uint8Array | PayloadSource | null | undefined,
    payloadSize: number,
  ): void {
    const size = frameSize(headerLen, payloadSize);
    if (size - 4 > MAX_FRAME_LEN) {
      throw new ProtocolError(
        `frame too large: ${size - 4} bytes (max ${MAX_FRAME_LEN})`,
      );
    }
    this.#view.setUint32(start, size - 4, true);
    this.#view.setUint32(start + 4, headerLen, true);
    if (payloadSize > 0) {
      const buf = this.#buf;
      const payloadStart = start + align64(8 + headerLen);
      buf.fill(0, start + 8 + headerLen, payloadStart);
      if (payload instanceof Uint8Array) buf.set(payload, payloadStart);
      else {
        (payload as PayloadSource).write(
          buf.subarray(payloadStart, payloadStart + payloadSize),
        );
      }
    }
    this.#len += size;
    this.#schedule();
  }

  /**
   * Appends one frame whose header is already serialised (compact JSON of
   * one object, e.g. forwarded mostly verbatim); otherwise like `push`.
   */
  pushJson(
    json: string,
    payload?: Uint8Array | PayloadSource | null,
  ): void {
    if (this.#error) throw this.#error;
    // Plain bytes are copied directly (no PayloadSource object per frame).
    let bytes: Uint8Array | null = null;
    let source: PayloadSource | null = null;
    let payloadSize = 0;
    if (payload instanceof Uint8Array) {
      if (payload.length > 0) {
        bytes = payload;
        payloadSize = payload.length;
      }
    } else if (payload && payload.size > 0) {
      source = payload;
      payloadSize = payload.size;
    }
    // Encode the header straight into the buffer (worst case 3 bytes per UTF-16 unit).
    this.#reserve(8 + json.length * 3 + 63 + payloadSize);
    const start = this.#len;
    const buf = this.#buf;
    const headerLen = encoder.encodeInto(json, buf.subarray(start + 8)).written;
    const size = frameSize(headerLen, payloadSize);
    if (size - 4 > MAX_FRAME_LEN) {
      throw new ProtocolError(
        `frame too large: ${size - 4} bytes (max ${MAX_FRAME_LEN})`,
      );
    }
    const view = this.#view;
    view.setUint32(start, size - 4, true);
    view.setUint32(start + 4, headerLen, true);
    if (payloadSize > 0) {
      const payloadStart = start + align64(8 + headerLen);
      buf.fill(0, start + 8 + headerLen, payloadStart);
      if (bytes) buf.set(bytes, payloadStart);
      else {source!.write(
          buf.subarray(payloadStart, payloadStart + payloadSize),
        );}
    }
    this.#len += size;
    this.#schedule();
  }

  /**
   * Starts writing what was pushed now, in this tick, unless a write is
   * already in flight (then it goes out when that one completes, coalesced
   * with whatever was pushed meanwhile).
   */
  kick(): void {
    if (this.#writing || this.#len === 0 || this.#error) return;
    this.#pump();
  }

  /** Resolves once every frame pushed so far has been written. */
  flush(): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#len === 0 && !this.#writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  #reserve(size: number): void {
    const need = this.#len + size;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#pump());
  }

  async #pump(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#len > 0) {
        const out = this.#buf.subarray(0, this.#len);
        const full = this.#buf;
        const fullView = this.#view;
        this.#buf = this.#spare;
        this.#view = this.#spareView;
        this.#spare = full;
        this.#spareView = fullView;
        this.#len = 0;
        let off = 0;
        while (off < out.length) {
          off += await this.#sink.write(out.subarray(off));
        }
        // Large one-off buffers are not kept around.
        if (this.#spare.length > 4 * 1024 * 1024) {
          this.#spare = new Uint8Array(64 * 1024);
          this.#spareView = new DataView(this.#spare.buffer);
        }
      }
      this.#writing = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w.resolve();
    } catch (e) {
      this.#writing = false;
      this.#error = e instanceof Error ? e : new Error(String(e));
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w.reject(this.#error);
    }
  }
}
