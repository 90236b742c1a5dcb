/**
 * The daemon ⇄ node wire codec (docs/protocol.md).
 *
 * - Frames: {@link FrameWriter} (coalescing, one write in flight),
 *   {@link FrameReader} (any split of the stream; payloads 64-byte aligned),
 *   {@link encodeFrame} / {@link decodeFrame} for single frames.
 * - Headers: types for every message, {@link asNodeToDaemon} /
 *   {@link asDaemonToNode} validate a received header.
 * - Metadata: {@link encodeMetadata} / {@link decodeMetadata}, and the
 *   {@link HybridLogicalClock}.
 * - Data: {@link toArrowData} coerces a Vector / typed array / plain value
 *   into Arrow data, {@link encodeValue} lays it out as a layout `d` plus
 *   payload; {@link decodeValue} rebuilds a Vector over the payload without
 *   copying; {@link TYPED_ARRAYS} is the one typed-array ↔ `dt` ↔ Arrow table.
 *
 * Malformed input throws {@link ProtocolError} whose message names the problem.
 *
 * @example Daemon side: read a node's frames, forward an output as an input
 * ```ts
 * const reader = new FrameReader(conn);
 * const writer = new FrameWriter(otherConn);
 * for (let f = await reader.next(); f; f = await reader.next()) {
 *   const h = asNodeToDaemon(f.header);
 *   if (h.t === "output") {
 *     writer.push({ t: "input", id: "in", m: h.m, d: h.d, shm: h.shm }, f.payload);
 *   }
 * }
 * ```
 *
 * @module
 */
export { ProtocolError } from "./errors.ts";
export {
  align64,
  decodeFrame,
  encodeFrame,
  type Frame,
  frameSize,
  headerBytes,
  MAX_FRAME_LEN,
  PAYLOAD_ALIGN,
  type PayloadSource,
} from "./frame.ts";
export { type ByteSink, FrameWriter } from "./frame_writer.ts";
export { type ByteSource, FrameReader } from "./frame_reader.ts";
export * from "./header.ts";
export {
  decodeMetadata,
  decodeParam,
  encodeMetadata,
  encodeParam,
  type Metadata,
  type Params,
  type ParamValue,
  type WireMetadata,
  type WireParam,
} from "./metadata.ts";
export { HybridLogicalClock, wallClockNs } from "./hlc.ts";
export type { DataLayout, DataTypeSpec, FieldSpec } from "./layout_types.ts";
export {
  arrowType,
  TYPED_ARRAYS,
  typedArrayType,
  typeSpec,
} from "./arrow_type.ts";
export { type SendableValue, toArrowData } from "./to_arrow.ts";
export { type EncodedValue, encodeValue } from "./arrow_encode.ts";
export { decodeValue } from "./arrow_decode.ts";
export { linkKey, newNodeSecret, sameSecret } from "./node_identity.ts";
export { inputHeaderJson, outputHeaderJson } from "./header_json.ts";
export {
  BINARY_INPUT,
  BINARY_OUTPUT,
  binaryHeaderBound,
  decodeBinaryHeader,
  DT_CODES,
  encodeBinaryHeader,
  isBinaryHeader,
  writeBinaryHeader,
} from "./binary_header.ts";
