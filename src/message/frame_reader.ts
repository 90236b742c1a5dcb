/**
 * Streaming frame reader over `read(buf)` (a `Deno.Conn` fits): accepts any
 * split of the byte stream, hands out payloads in their own buffers at a
 * 64-byte-aligned `byteOffset`.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";
import {
  checkLengths,
  type Frame,
  headerText,
  MAX_FRAME_LEN,
  parseHeaderText,
} from "./frame.ts";
import { decodeBinaryHeader, isBinaryHeader } from "./binary_header.ts";

const SLAB_SIZE = 64 * 1024;
const SLAB_MAX = 4 * 1024;

/** Where bytes come from (a `Deno.Conn` fits). */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

/**
 * Reads frames one at a time.
 *
 * @example
 * ```ts
 * const reader = new FrameReader(conn);
 * for (let f = await reader.next(); f; f = await reader.next()) handle(f);
 * ```
 */
export class FrameReader {
  #source: ByteSource;
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #view: DataView;
  #slab = new Uint8Array(SLAB_SIZE);
  #slabPos = 0;
  #lastText = "";
  #lastBytes: Uint8Array | null = null;

  /** `bufferSize` is the size of the reusable read buffer. */
  constructor(source: ByteSource, bufferSize = 256 * 1024) {
    this.#source = source;
    this.#buf = new Uint8Array(bufferSize);
    this.#view = new DataView(this.#buf.buffer);
  }

  /**
   * The header JSON text of the frame returned last (a forwarder can reuse
   * it instead of serialising the parsed header again).
   */
  get lastHeaderText(): string {
    return this.#lastText;
  }

  /**
   * The binary header of the frame returned last (`null` for a JSON one),
   * valid until the next read: a forwarder copies what it keeps.
   */
  get lastHeaderBytes(): Uint8Array | null {
    return this.#lastBytes;
  }

  #parse(bytes: Uint8Array): Record<string, unknown> {
    if (bytes.length > 0 && isBinaryHeader(bytes[0])) {
      this.#lastText = "";
      this.#lastBytes = bytes;
      return decodeBinaryHeader(bytes);
    }
    const text = headerText(bytes);
    this.#lastBytes = null;
    this.#lastText = text;
    return parseHeaderText(text);
  }

  /**
   * Returns the next complete frame if it is already buffered, without
   * reading; `null` otherwise. Throws {@link ProtocolError} on a malformed frame.
   */
  tryNext(): Frame | null {
    const avail = this.#end - this.#start;
    if (avail < 8) return null;
    const frameLen = this.#view.getUint32(this.#start, true);
    const headerLen = this.#view.getUint32(this.#start + 4, true);
    const payloadStart = checkLengths(frameLen, headerLen);
    const total = 4 + frameLen;
    if (avail < total) return null;
    const s = this.#start;
    const header = this.#parse(this.#buf.subarray(s + 8, s + 8 + headerLen));
    const payload = payloadStart < 0
      ? null
      : this.#copyOut(s + payloadStart, s + total);
    this.#start += total;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { header, payload };
  }

  /**
   * Copies a payload out of the reusable read buffer. Small payloads share
   * slabs (one allocation per 64 KiB instead of one per message); each view
   * starts at a multiple of 64 in its buffer.
   */
  #copyOut(from: number, to: number): Uint8Array {
    const len = to - from;
    if (len > SLAB_MAX) return this.#buf.slice(from, to);
    let pos = this.#slabPos;
    if (pos + len > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_SIZE);
      pos = 0;
    }
    const view = this.#slab.subarray(pos, pos + len);
    view.set(this.#buf.subarray(from, to));
    this.#slabPos = (pos + len + 63) & ~63;
    return view;
  }

  /**
   * Resolves with the next frame, or `null` on EOF at a frame boundary.
   * Throws {@link ProtocolError} on a malformed frame or EOF inside a frame.
   */
  async next(): Promise<Frame | null> {
    for (;;) {
      const frame = this.tryNext();
      if (frame) return frame;
      const avail = this.#end - this.#start;
      if (avail >= 8) {
        const frameLen = this.#view.getUint32(this.#start, true);
        if (4 + frameLen > this.#buf.length) return await this.#readLarge();
      }
      if (this.#start > 0 && this.#buf.length - this.#end < 64 * 1024) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      }
      const n = await this.#source.read(this.#buf.subarray(this.#end));
      if (n === null) {
        if (this.#end === this.#start) return null;
        throw new ProtocolError(
          `connection closed in the middle of a frame (${
            this.#end - this.#start
          } bytes of an incomplete frame)`,
        );
      }
      this.#end += n;
    }
  }

  /** A frame bigger than the read buffer gets a buffer of its own. */
  async #readLarge(): Promise<Frame> {
    const frameLen = this.#view.getUint32(this.#start, true);
    const headerLen = this.#view.getUint32(this.#start + 4, true);
    const payloadStart = checkLengths(frameLen, headerLen);
    const total = 4 + frameLen;
    if (total > MAX_FRAME_LEN + 4) {
      throw new ProtocolError(`frame too large: frame_len ${frameLen}`);
    }
    const own = new Uint8Array(total);
    let have = this.#end - this.#start;
    own.set(this.#buf.subarray(this.#start, this.#end));
    this.#start = this.#end = 0;
    while (have < total) {
      const n = await this.#source.read(own.subarray(have));
      if (n === null) {
        throw new ProtocolError(
          `connection closed in the middle of a frame (${have} of ${total} bytes)`,
        );
      }
      have += n;
    }
    const header = this.#parse(own.subarray(8, 8 + headerLen));
    const payload = payloadStart < 0 ? null : own.subarray(payloadStart);
    return { header, payload };
  }
}
