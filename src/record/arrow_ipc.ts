/**
 * Arrow IPC for recordings, as the MCAP registry proposal for Arrow
 * (foxglove/mcap#1748) has it: a channel's schema is an encapsulated IPC
 * Schema message (continuation marker, length, flatbuffer), each message an
 * encapsulated RecordBatch message without stream framing. A dora message is
 * one Arrow array: the batch has one column, `data`, and the message's
 * parameters travel in the RecordBatch message's custom metadata
 * (`dora.parameters`, the typed JSON of the wire protocol).
 *
 * @module
 */
import {
  DataType,
  Field,
  makeData,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import {
  decodeParam,
  encodeParam,
  type Params,
  type WireParam,
} from "../message/metadata.ts";

/** The one column of every recorded batch. */
export const DATA_COLUMN = "data";
/** Custom-metadata key of the RecordBatch message holding the parameters. */
export const PARAMETERS_KEY = "dora.parameters";

/** One message in IPC form. */
export interface EncodedMessage {
  /** The encapsulated Schema message (same bytes for the same type). */
  schema: Uint8Array;
  /** The encapsulated RecordBatch message. */
  batch: Uint8Array;
}

/** The length of the encapsulated IPC message at `at` (metadata + body excluded). */
function metadataEnd(bytes: Uint8Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(at, true) !== 0xffffffff) {
    throw new RangeError("Arrow IPC message without a continuation marker");
  }
  return at + 8 + view.getInt32(at + 4, true);
}

/** Parameters as the typed JSON of the wire protocol (`{}` when none). */
export function encodeParameters(params: Params): string {
  const out: Record<string, WireParam> = {};
  for (const key in params) out[key] = encodeParam(key, params[key]!);
  return JSON.stringify(out);
}

/** The inverse of {@linkcode encodeParameters}. */
export function decodeParameters(json: string | undefined): Params {
  if (!json) return {};
  const raw = JSON.parse(json) as Record<string, unknown>;
  const out: Params = {};
  for (const [k, v] of Object.entries(raw)) out[k] = decodeParam(k, v);
  return out;
}

/**
 * Encodes one message: the array as the `data` column of a record batch,
 * parameters in the batch's custom metadata.
 */
export function encodeMessage(value: Vector, params: Params): EncodedMessage {
  if (DataType.isDictionary(value.type)) {
    // A RecordBatch message alone cannot carry dictionaries: record values.
    value = vectorFromArray([...value], value.type.dictionary);
  }
  const field = new Field(DATA_COLUMN, value.type, true);
  const schema = new Schema([field]);
  if (value.data.length > 1) {
    // The node API hands out one contiguous array per message.
    throw new RangeError(
      "a chunked Arrow vector cannot be recorded as one message",
    );
  }
  const data = value.data[0];
  const struct = makeData({
    type: new Struct([field]),
    length: value.length,
    nullCount: 0,
    children: data ? [data] : [],
  });
  const batch = new RecordBatch(
    schema,
    struct,
    new Map([[PARAMETERS_KEY, encodeParameters(params)]]),
  );
  const writer = new RecordBatchStreamWriter();
  writer.write(batch);
  writer.finish();
  const stream = writer.toUint8Array(true);
  // stream = Schema message · RecordBatch message · end-of-stream (8 bytes).
  const schemaEnd = metadataEnd(stream, 0);
  return {
    schema: stream.subarray(0, schemaEnd),
    batch: stream.subarray(schemaEnd, stream.length - 8),
  };
}

/** A recorded message decoded back into what a node sends. */
export interface DecodedMessage {
  value: Vector;
  params: Params;
}

/**
 * Decodes a recorded message given its channel's schema bytes.
 *
 * @throws {RangeError} when the bytes are not an IPC schema and batch.
 */
export function decodeMessage(
  schema: Uint8Array,
  batch: Uint8Array,
): DecodedMessage {
  const joined = new Uint8Array(schema.length + batch.length);
  joined.set(schema);
  joined.set(batch, schema.length);
  const reader = RecordBatchReader.from(joined);
  const result = reader.next();
  if (result.done || !result.value) {
    throw new RangeError("the message holds no Arrow record batch");
  }
  const rb = result.value as RecordBatch;
  const column = rb.getChildAt(0);
  if (!column) throw new RangeError("the record batch has no column");
  return {
    value: column as Vector,
    params: decodeParameters(rb.metadata.get(PARAMETERS_KEY)),
  };
}

/** A readable name of an Arrow type for schema names and `recording info`. */
export function typeName(value: Vector): string {
  return String(value.type);
}
