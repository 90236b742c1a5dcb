/**
 * Value coercion: what `sendOutput` accepts (apache-arrow Vectors/Data, typed
 * arrays, numbers, bigints, booleans, strings, arrays of them) turned into one
 * apache-arrow `Data`. The Python node API's counterpart is `_to_arrow.py`.
 * Laying the result out as buffers is `arrow_encode.ts`.
 *
 * @module
 */
import {
  Binary,
  Bool,
  type Data,
  makeData,
  Null,
  Uint8,
  Utf8,
  Vector,
} from "apache-arrow";
import { typedArrayType } from "./arrow_type.ts";

/** Anything `sendOutput` accepts as data. `null`/`undefined` send an empty message. */
export type SendableValue =
  | Vector
  | Data
  | ArrayBufferView
  | ArrayBuffer
  | number
  | bigint
  | boolean
  | string
  | number[]
  | bigint[]
  | boolean[]
  | string[]
  | null
  | undefined;

const encoder = new TextEncoder();
const U8 = new Uint8();

/** The bytes of any view (a `DataView` is sent as raw `u8`). */
export function bytesOf(
  a: ArrayBufferView,
  byteLength = a.byteLength,
): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, byteLength);
}

function utf8Data(strings: string[], binary = false): Data {
  let cap = 0;
  for (const s of strings) cap += s.length * 3;
  const bytes = new Uint8Array(cap);
  const offsets = new Int32Array(strings.length + 1);
  let pos = 0;
  for (let i = 0; i < strings.length; i++) {
    pos += encoder.encodeInto(strings[i], bytes.subarray(pos)).written;
    offsets[i + 1] = pos;
  }
  const type = binary ? new Binary() : new Utf8();
  return makeData({
    type,
    length: strings.length,
    nullCount: 0,
    valueOffsets: offsets,
    data: bytes.subarray(0, pos),
  } as never);
}

function boolData(values: boolean[]): Data {
  const packed = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i]) packed[i >> 3] |= 1 << (i & 7);
  }
  return makeData({
    type: new Bool(),
    length: values.length,
    nullCount: 0,
    data: packed,
  });
}

/**
 * Converts any {@link SendableValue} to one apache-arrow `Data` (or null for
 * an empty message). Throws `TypeError` for anything else.
 *
 * @example
 * ```ts
 * toArrowData([1, 2]); // Float64 data of length 2
 * toArrowData("hi"); // Utf8 data of length 1
 * ```
 */
export function toArrowData(value: SendableValue): Data | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Vector) {
    if (value.data.length === 1) return value.data[0];
    if (value.data.length === 0) {
      return makeData({ type: new Null(), length: 0 });
    }
    if (value.nullCount === 0 && ArrayBuffer.isView(value.toArray())) {
      return toArrowData(value.toArray() as ArrayBufferView);
    }
    throw new TypeError(
      `a Vector with ${value.data.length} chunks and nulls cannot be sent as one array: send its chunks one at a time`,
    );
  }
  if (ArrayBuffer.isView(value)) {
    const typed = typedArrayType(value);
    const view = typed ? value : bytesOf(value);
    return makeData({
      type: typed?.type ?? U8,
      length: (view as Uint8Array).length,
      nullCount: 0,
      data: view,
    } as never);
  }
  if (value instanceof ArrayBuffer) return toArrowData(new Uint8Array(value));
  switch (typeof value) {
    case "number":
      return toArrowData(Float64Array.of(value));
    case "bigint":
      return toArrowData(BigInt64Array.of(value));
    case "boolean":
      return boolData([value]);
    case "string":
      return utf8Data([value]);
  }
  if (Array.isArray(value)) {
    const list = value as unknown[];
    if (list.length === 0) return makeData({ type: new Null(), length: 0 });
    if (list.every((x) => typeof x === "number")) {
      return toArrowData(Float64Array.from(list as number[]));
    }
    if (list.every((x) => typeof x === "bigint")) {
      return toArrowData(BigInt64Array.from(list as bigint[]));
    }
    if (list.every((x) => typeof x === "boolean")) {
      return boolData(list as boolean[]);
    }
    if (list.every((x) => typeof x === "string")) {
      return utf8Data(list as string[]);
    }
  }
  // deno-lint-ignore no-explicit-any
  if ((value as any)?.type && typeof (value as any).typeId === "number") {
    return value as Data;
  }
  throw new TypeError(
    "cannot send this value: use an apache-arrow Vector, a typed array, a number, bigint, boolean, string, or an array of one of those",
  );
}
