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
  makeVector,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import {
  Message as IpcMessage,
  RecordBatch as RecordBatchHeader,
} from "apache-arrow/ipc/metadata/message";
import { VectorAssembler } from "apache-arrow/visitor/vectorassembler";
import { VectorLoader } from "apache-arrow/visitor/vectorloader";
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

/** A stable key of an Arrow type: its id, text and children's nullability. */
function typeKey(type: DataType): string {
  const children = (type.children ?? []).map((f: Field) =>
    `${f.name}${f.nullable ? "?" : ""}:${typeKey(f.type)}`
  );
  return `${type.typeId}:${String(type)}[${children.join(",")}]`;
}

/**
 * Encodes messages like {@linkcode encodeMessage}, with the schema message
 * cached per Arrow type and the record batch built directly from apache-arrow's
 * IPC message classes: the same bytes at a fraction of the cost (a 1 kHz
 * topic must not keep a core busy).
 */
export class MessageEncoder {
  #schemas = new Map<string, Uint8Array>();
  /**
   * Encapsulated metadata of fixed-width arrays without nulls, per type,
   * length and parameters: for these the batch's flatbuffer depends on
   * nothing else, so a 1 kHz sensor builds it once.
   */
  #fixedMeta = new Map<string, { meta: Uint8Array; body: number }>();

  /**
   * Encodes one message; `schemaKey` identifies its schema. `alloc` gives the
   * memory of the batch (a pool saves zeroing fresh pages for big ones).
   */
  encode(
    value: Vector,
    params: Params,
    alloc: (size: number) => Uint8Array = (n) => new Uint8Array(n),
  ): EncodedMessage & { schemaKey: string } {
    if (DataType.isDictionary(value.type) || value.data.length !== 1) {
      const slow = encodeMessage(value, params);
      return { ...slow, schemaKey: typeKey(value.type) };
    }
    const schemaKey = typeKey(value.type);
    let schema = this.#schemas.get(schemaKey);
    if (!schema) {
      schema = encodeMessage(value, params).schema.slice();
      this.#schemas.set(schemaKey, schema);
    }
    const data = value.data[0]!;
    const fixed = isFixedWidth(value.type) && data.nullCount === 0 &&
      data.values !== undefined;
    const paramsJson = encodeParameters(params);
    const fixedKey = fixed
      ? `${schemaKey}|${value.length}|${paramsJson}`
      : undefined;
    const known = fixedKey === undefined
      ? undefined
      : this.#fixedMeta.get(fixedKey);
    const values = data.values as ArrayBufferView | undefined;
    if (
      known && values && values.byteLength <= known.body &&
      values.byteLength > known.body - 8
    ) {
      const batch = alloc(known.meta.length + known.body);
      batch.set(known.meta);
      batch.fill(0, known.meta.length + values.byteLength);
      batch.set(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
        known.meta.length,
      );
      return { schema, batch, schemaKey };
    }
    const assembled = VectorAssembler.assemble(value);
    const header = new RecordBatchHeader(
      value.length,
      assembled.nodes,
      assembled.bufferRegions,
      null,
      assembled.variadicBufferCounts,
      new Map([[PARAMETERS_KEY, paramsJson]]),
    );
    const meta = IpcMessage.encode(
      IpcMessage.from(header, assembled.byteLength),
    );
    const metaSize = (meta.length + 8 + 7) & ~7;
    const batch = alloc(metaSize + assembled.byteLength);
    batch.fill(0, 0, metaSize);
    const view = new DataView(batch.buffer, batch.byteOffset, batch.length);
    view.setInt32(0, -1, true);
    view.setInt32(4, metaSize - 8, true);
    batch.set(meta, 8);
    let at = metaSize;
    for (const b of assembled.buffers) {
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      batch.set(bytes, at);
      const padded = (bytes.length + 7) & ~7;
      batch.fill(0, at + bytes.length, at + padded);
      at += padded;
    }
    if (
      fixedKey !== undefined && assembled.buffers.length === 2 &&
      assembled.buffers[0]!.byteLength === 0
    ) {
      // [validity (none), values]: the template holds for the next ones.
      if (this.#fixedMeta.size > 1024) this.#fixedMeta.clear();
      this.#fixedMeta.set(fixedKey, {
        meta: batch.slice(0, metaSize),
        body: assembled.byteLength,
      });
    }
    return { schema, batch, schemaKey };
  }
}

/** Types whose body is exactly validity + one values buffer of fixed width. */
function isFixedWidth(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type) ||
    DataType.isDate(type) || DataType.isTime(type) ||
    DataType.isTimestamp(type) || DataType.isDuration(type) ||
    DataType.isFixedSizeBinary(type) || DataType.isDecimal(type);
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

/**
 * Decodes recorded messages like {@linkcode decodeMessage}, with each
 * channel's schema parsed once and the batch's buffers used in place (no
 * copy of a camera frame).
 */
export class MessageDecoder {
  #byObject = new WeakMap<Uint8Array, Schema>();
  #byContent = new Map<string, Schema>();

  #schema(bytes: Uint8Array): Schema {
    let schema = this.#byObject.get(bytes);
    if (schema) return schema;
    // Each chunk repeats its schema records: the same bytes, new objects.
    const key = Array.from(bytes, (b) => b.toString(16)).join(",");
    schema = this.#byContent.get(key);
    if (!schema) {
      const message = IpcMessage.decode(
        bytes.subarray(8, metadataEnd(bytes, 0)),
      );
      schema = message.header() as Schema;
      this.#byContent.set(key, schema);
    }
    this.#byObject.set(bytes, schema);
    return schema;
  }

  /** Decodes one message given its channel's schema bytes. */
  decode(schemaBytes: Uint8Array, batch: Uint8Array): DecodedMessage {
    const schema = this.#schema(schemaBytes);
    const end = metadataEnd(batch, 0);
    const message = IpcMessage.decode(batch.subarray(8, end));
    if (!message.isRecordBatch()) {
      return decodeMessage(schemaBytes, batch);
    }
    const header = message.header() as RecordBatchHeader;
    if (header.compression) return decodeMessage(schemaBytes, batch);
    const load = (body: Uint8Array) =>
      new VectorLoader(
        body,
        header.nodes,
        header.buffers,
        new Map(),
        schema.metadataVersion,
        header.variadicBufferCounts,
      ).visitMany(schema.fields.map((f) => f.type));
    let body = batch.subarray(end, end + message.bodyLength);
    let loaded;
    try {
      loaded = load(body);
    } catch (e) {
      // Typed arrays need aligned memory; MCAP records are not aligned.
      if (!(e instanceof RangeError) || body.byteOffset % 8 === 0) throw e;
      body = body.slice();
      loaded = load(body);
    }
    const [data] = loaded;
    if (!data) throw new RangeError("the record batch has no column");
    return {
      value: makeVector(data),
      params: decodeParameters(message.metadata.get(PARAMETERS_KEY)),
    };
  }
}

/** A readable name of an Arrow type for schema names and `recording info`. */
export function typeName(value: Vector): string {
  return String(value.type);
}
