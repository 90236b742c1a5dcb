/**
 * Frame encoding and decoding (docs/protocol.md, "Frames").
 *
 * A frame is `u32 frame_len | u32 header_len | header | zero padding to a
 * 64-byte boundary | payload`, all little-endian; the padding is present only
 * when there is a payload. The header is JSON, or for message frames the
 * binary form of `binary_header.ts`.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";
import { fastParseHeader } from "./fast_header.ts";
import {
  BINARY_INPUT,
  BINARY_OUTPUT,
  decodeBinaryHeader,
  encodeBinaryHeader,
  isBinaryHeader,
} from "./binary_header.ts";
import type { ShmRef } from "./header.ts";
import type { DataLayout } from "./layout_types.ts";
import type { WireMetadata } from "./metadata.ts";

/** Largest allowed `frame_len` (64 MiB). */
export const MAX_FRAME_LEN = 64 * 1024 * 1024;

/** Payloads start at a multiple of this many bytes from the frame start. */
export const PAYLOAD_ALIGN = 64;

/** Rounds `n` up to a multiple of 64. */
export function align64(n: number): number {
  return (n + 63) & ~63;
}

/** A payload that knows its size and can write itself into a buffer. */
export interface PayloadSource {
  /** Number of payload bytes. */
  readonly size: number;
  /** Writes exactly `size` bytes to `target[0..size)`. */
  write(target: Uint8Array): void;
}

/** A decoded frame: the parsed JSON header and the payload (or `null`). */
export interface Frame {
  /** The header object (its `t` field is the message type). */
  header: Record<string, unknown>;
  /** Payload bytes; a view whose `byteOffset` is a multiple of 64. */
  payload: Uint8Array | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Size of a frame with a header of `headerLen` bytes and `payloadLen` payload bytes. */
export function frameSize(headerLen: number, payloadLen: number): number {
  return payloadLen > 0 ? align64(8 + headerLen) + payloadLen : 8 + headerLen;
}

/**
 * The bytes of a header: binary for `output` / `input` message headers
 * (`binary_header.ts`), compact JSON for every other frame.
 */
export function headerBytes(header: object): Uint8Array {
  const h = header as Record<string, unknown>;
  if (h.t === "output" || h.t === "input") {
    return encodeBinaryHeader(
      h.t === "output" ? BINARY_OUTPUT : BINARY_INPUT,
      (h.t === "output" ? h.o : h.id) as string,
      h.m as WireMetadata,
      h.d as DataLayout | undefined,
      h.shm as ShmRef | undefined,
    );
  }
  return encoder.encode(JSON.stringify(header));
}

/**
 * Encodes one frame into a new buffer (message headers in binary, see
 * {@link headerBytes}).
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ t: "next" });
 * ```
 */
export function encodeFrame(
  header: object,
  payload?: Uint8Array | PayloadSource | null,
): Uint8Array {
  const json = headerBytes(header);
  const source = toSource(payload);
  const size = frameSize(json.length, source?.size ?? 0);
  const out = new Uint8Array(size);
  writeFrameInto(out, json, source);
  return out;
}

/** Normalises a payload argument to a {@link PayloadSource} (or null when empty). */
export function toSource(
  payload: Uint8Array | PayloadSource | null | undefined,
): PayloadSource | null {
  if (!payload) return null;
  if (payload instanceof Uint8Array) {
    if (payload.length === 0) return null;
    return { size: payload.length, write: (t) => t.set(payload) };
  }
  return payload.size > 0 ? payload : null;
}

/** Writes a frame whose header JSON is already encoded; `out` must be exactly the frame size. */
export function writeFrameInto(
  out: Uint8Array,
  headerJson: Uint8Array,
  payload: PayloadSource | null,
): void {
  const size = out.length;
  if (size - 4 > MAX_FRAME_LEN) {
    throw new ProtocolError(
      `frame too large: ${size - 4} bytes (max ${MAX_FRAME_LEN})`,
    );
  }
  const view = new DataView(out.buffer, out.byteOffset, 8);
  view.setUint32(0, size - 4, true);
  view.setUint32(4, headerJson.length, true);
  out.set(headerJson, 8);
  if (payload) {
    const start = align64(8 + headerJson.length);
    out.fill(0, 8 + headerJson.length, start);
    payload.write(out.subarray(start, start + payload.size));
  }
}

/**
 * Checks the two length fields of a frame and returns the payload start, or
 * -1 when there is no payload. Throws {@link ProtocolError} naming the problem.
 */
export function checkLengths(frameLen: number, headerLen: number): number {
  if (frameLen > MAX_FRAME_LEN) {
    throw new ProtocolError(
      `frame too large: frame_len ${frameLen} exceeds the maximum of ${MAX_FRAME_LEN} bytes`,
    );
  }
  if (frameLen < 4) {
    throw new ProtocolError(
      `frame_len ${frameLen} is shorter than the 4-byte header_len field`,
    );
  }
  if (headerLen > frameLen - 4) {
    throw new ProtocolError(
      `header_len ${headerLen} exceeds the frame (frame_len ${frameLen} leaves ${
        frameLen - 4
      } bytes)`,
    );
  }
  const end = 4 + frameLen;
  const headerEnd = 8 + headerLen;
  if (end === headerEnd) return -1;
  const start = align64(headerEnd);
  if (end <= start) {
    throw new ProtocolError(
      `frame payload is truncated: ${
        end - headerEnd
      } bytes after the header do not reach the 64-byte-aligned payload start at offset ${start}`,
    );
  }
  return start;
}

/** Parses header bytes as a JSON object with a string `t`. */
export function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length > 0 && isBinaryHeader(bytes[0])) {
    return decodeBinaryHeader(bytes);
  }
  return parseHeaderText(headerText(bytes));
}

/** Decodes header bytes as UTF-8; throws {@link ProtocolError} when invalid. */
export function headerText(bytes: Uint8Array): string {
  // The lenient decoder is 2.5x faster; only a replacement character needs
  // the strict check (invalid UTF-8, or a literal U+FFFD).
  const text = decoder.decode(bytes);
  if (!text.includes("\uFFFD")) return text;
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new ProtocolError("frame header is not valid UTF-8");
  }
}

/** Parses a header's text as a JSON object with a string `t`. */
export function parseHeaderText(text: string): Record<string, unknown> {
  const fast = fastParseHeader(text);
  if (fast) return fast;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(
      `frame header is not valid JSON: ${(e as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(
      `frame header is not a JSON object (got ${
        Array.isArray(value) ? "an array" : JSON.stringify(value)
      })`,
    );
  }
  const t = (value as Record<string, unknown>).t;
  if (typeof t !== "string") {
    throw new ProtocolError('frame header has no string field "t"');
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes exactly one complete frame from `bytes` (used by tests and
 * vectors; streams use {@link FrameReader}). The payload is copied into its
 * own 64-byte-aligned buffer.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < 8) {
    throw new ProtocolError(
      `frame is truncated: ${bytes.length} bytes, need at least 8`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const frameLen = view.getUint32(0, true);
  const headerLen = view.getUint32(4, true);
  const start = checkLengths(frameLen, headerLen);
  if (bytes.length !== 4 + frameLen) {
    throw new ProtocolError(
      `frame is ${bytes.length} bytes but frame_len says ${4 + frameLen}`,
    );
  }
  const header = parseHeader(bytes.subarray(8, 8 + headerLen));
  const payload = start < 0 ? null : bytes.slice(start, 4 + frameLen);
  return { header, payload };
}
