/**
 * Encodes values (apache-arrow Vectors/Data, typed arrays, numbers, strings,
 * arrays of them) into a data layout plus a payload of 64-byte-aligned raw
 * Arrow buffers. No Arrow IPC on this path.
 *
 * @module
 */
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  Null,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  Vector,
} from "apache-arrow";
import { align64, type PayloadSource } from "./frame.ts";
import type { DataLayout } from "./layout_types.ts";
import { typeSpec } from "./arrow_type.ts";

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

/** A value ready to be written: its layout and its payload. */
export interface EncodedValue extends PayloadSource {
  /** The data layout `d`, or `undefined` for an empty message. */
  readonly layout: DataLayout | undefined;
  /**
   * The source buffers and where they go in the payload; `ref` is the
   * `[offset, length]` entry of the layout that describes each (a zero-copy
   * sender rewrites `ref[0]` when the bytes already sit in shared memory).
   */
  readonly parts: readonly {
    offset: number;
    bytes: Uint8Array;
    ref: [number, number];
  }[];
}

class Payload {
  parts: { offset: number; bytes: Uint8Array; ref: [number, number] }[] = [];
  size = 0;
  add(bytes: Uint8Array | null): [number, number] | null {
    if (!bytes) return null;
    if (bytes.length === 0) return [0, 0];
    const offset = align64(this.size);
    const ref: [number, number] = [offset, bytes.length];
    this.parts.push({ offset, bytes, ref });
    this.size = offset + bytes.length;
    return ref;
  }
}

function u8(a: ArrayBufferView, byteLength = a.byteLength): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, byteLength);
}

/** `len` bits of `src` starting at bit `bitOffset`, as a bitmap starting at bit 0. */
function bits(src: Uint8Array, bitOffset: number, len: number): Uint8Array {
  const nbytes = (len + 7) >> 3;
  if ((bitOffset & 7) === 0) {
    return src.subarray(bitOffset >> 3, (bitOffset >> 3) + nbytes);
  }
  const out = new Uint8Array(nbytes);
  for (let i = 0; i < len; i++) {
    const j = bitOffset + i;
    if (src[j >> 3] & (1 << (j & 7))) out[i >> 3] |= 1 << (i & 7);
  }
  return out;
}

function layoutOf(data: Data, payload: Payload): DataLayout {
  const { offset, length } = data;
  // deno-lint-ignore no-explicit-any
  const d = data as any;
  const dt = typeSpec(data.type);
  const nulls = data.nullCount;
  const validity = nulls > 0 && d.nullBitmap?.length
    ? payload.add(bits(d.nullBitmap, offset, length))
    : null;
  const bufs: ([number, number] | null)[] = [validity];
  const ch: DataLayout[] = [];
  switch (data.type.typeId) {
    case Type.Null:
      return { dt, len: length, nulls: length, off: 0, bufs: [], ch };
    case Type.Bool:
      bufs.push(payload.add(bits(d.values, offset, length)));
      break;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.FixedSizeBinary: {
      // apache-arrow keeps fixed-width values already sliced to the array start.
      const values = d.values as ArrayBufferView & {
        BYTES_PER_ELEMENT: number;
      };
      bufs.push(
        payload.add(
          u8(values, length * data.stride * values.BYTES_PER_ELEMENT),
        ),
      );
      break;
    }
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const offs = d.valueOffsets as Int32Array;
      bufs.push(payload.add(u8(offs.subarray(0, length + 1))));
      // Builders over-allocate: send only the bytes the offsets reach.
      const values: Uint8Array = d.values ?? new Uint8Array(0);
      const end = length > 0 ? Number(offs[length]) : 0;
      bufs.push(payload.add(values.subarray(0, Math.min(end, values.length))));
      break;
    }
    case Type.List:
    case Type.LargeList: {
      const offs = d.valueOffsets as Int32Array;
      bufs.push(payload.add(u8(offs.subarray(0, length + 1))));
      ch.push(layoutOf(data.children[0], payload));
      break;
    }
    case Type.FixedSizeList:
    case Type.Struct:
      // apache-arrow slices these children together with the parent.
      for (const c of data.children) ch.push(layoutOf(c, payload));
      break;
  }
  return { dt, len: length, nulls, off: 0, bufs, ch };
}

const TYPES = {
  u8: new Uint8(),
  i8: new Int8(),
  i16: new Int16(),
  u16: new Uint16(),
  i32: new Int32(),
  u32: new Uint32(),
  f32: new Float32(),
  f64: new Float64(),
  i64: new Int64(),
  u64: new Uint64(),
};

function typedArrayType(v: ArrayBufferView): DataType | null {
  if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) {
    return TYPES.u8;
  }
  if (v instanceof Float32Array) return TYPES.f32;
  if (v instanceof Float64Array) return TYPES.f64;
  if (v instanceof Int8Array) return TYPES.i8;
  if (v instanceof Int16Array) return TYPES.i16;
  if (v instanceof Uint16Array) return TYPES.u16;
  if (v instanceof Int32Array) return TYPES.i32;
  if (v instanceof Uint32Array) return TYPES.u32;
  if (v instanceof BigInt64Array) return TYPES.i64;
  if (v instanceof BigUint64Array) return TYPES.u64;
  return null;
}
const encoder = new TextEncoder();

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

/** Converts any {@link SendableValue} to one apache-arrow `Data` (or null for an empty message). */
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
    const type = typedArrayType(value);
    const view = type ? value : u8(value);
    return makeData({
      type: type ?? new Uint8(),
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

/**
 * Encodes a value into its data layout and payload.
 *
 * @example
 * ```ts
 * const enc = encodeValue(new Float32Array([1, 2, 3]));
 * const payload = new Uint8Array(enc.size);
 * enc.write(payload); // enc.layout → {dt: "f32", len: 3, …}
 * ```
 */
export function encodeValue(value: SendableValue): EncodedValue {
  // Hot path: a typed array is one values buffer, no apache-arrow needed.
  const dt = ArrayBuffer.isView(value)
    ? TYPED_SPECS.get(value.constructor)
    : undefined;
  if (dt !== undefined) {
    const payload = new Payload();
    const view = value as ArrayBufferView & { length: number };
    const layout: DataLayout = {
      dt,
      len: view.length,
      nulls: 0,
      off: 0,
      bufs: [null, payload.add(u8(view))],
      ch: [],
    };
    return encoded(layout, payload);
  }
  const data = toArrowData(value);
  if (!data) return { layout: undefined, parts: [], size: 0, write() {} };
  const payload = new Payload();
  return encoded(layoutOf(data, payload), payload);
}

/** Layout spec of each typed-array class (the hot path of `encodeValue`). */
const TYPED_SPECS = new Map<unknown, DataLayout["dt"]>([
  [Uint8Array, "u8"],
  [Uint8ClampedArray, "u8"],
  [Int8Array, "i8"],
  [Int16Array, "i16"],
  [Uint16Array, "u16"],
  [Int32Array, "i32"],
  [Uint32Array, "u32"],
  [Float32Array, "f32"],
  [Float64Array, "f64"],
  [BigInt64Array, "i64"],
  [BigUint64Array, "u64"],
]);

function encoded(layout: DataLayout, payload: Payload): EncodedValue {
  const { parts, size } = payload;
  return {
    layout,
    parts,
    size,
    write(target: Uint8Array) {
      let pos = 0;
      for (const { offset, bytes } of parts) {
        if (offset > pos) target.fill(0, pos, offset);
        target.set(bytes, offset);
        pos = offset + bytes.length;
      }
    },
  };
}
