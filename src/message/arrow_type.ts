/**
 * Maps wire data types (`dt`) to apache-arrow `DataType`s and back, and holds
 * the one table of typed arrays: which JavaScript typed array carries which
 * wire type and apache-arrow type (used by value coercion, the encoder's fast
 * path and the decoder).
 *
 * @module
 */
import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  DateMillisecond,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Null,
  Struct,
  Timestamp,
  TimeUnit,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from "apache-arrow";
import { ProtocolError } from "./errors.ts";
import type { DataTypeSpec, FieldSpec } from "./layout_types.ts";

/** A typed-array class (`Float32Array`, …). */
export type TypedArrayClass =
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/**
 * The typed-array table: each typed-array class, the wire `dt` it is sent
 * as, and the apache-arrow type of that `dt` (one shared, immutable
 * instance). `Uint8ClampedArray` goes out as `u8`; `f16` has no typed array.
 */
export const TYPED_ARRAYS: readonly {
  readonly array: TypedArrayClass;
  readonly dt: string;
  readonly type: DataType;
}[] = (() => {
  const u8 = new Uint8();
  return [
    { array: Uint8Array, dt: "u8", type: u8 },
    { array: Uint8ClampedArray, dt: "u8", type: u8 },
    { array: Int8Array, dt: "i8", type: new Int8() },
    { array: Int16Array, dt: "i16", type: new Int16() },
    { array: Uint16Array, dt: "u16", type: new Uint16() },
    { array: Int32Array, dt: "i32", type: new Int32() },
    { array: Uint32Array, dt: "u32", type: new Uint32() },
    { array: Float32Array, dt: "f32", type: new Float32() },
    { array: Float64Array, dt: "f64", type: new Float64() },
    { array: BigInt64Array, dt: "i64", type: new Int64() },
    { array: BigUint64Array, dt: "u64", type: new Uint64() },
  ];
})();

const BY_CLASS = new Map<unknown, { dt: string; type: DataType }>(
  TYPED_ARRAYS.map((e) => [e.array, e]),
);

/**
 * The wire `dt` and apache-arrow type of a typed array (or of a subclass,
 * e.g. a Node `Buffer`), or `undefined` for other views (`DataView`).
 */
export function typedArrayType(
  view: ArrayBufferView,
): { dt: string; type: DataType } | undefined {
  const exact = BY_CLASS.get(view.constructor);
  if (exact !== undefined) return exact;
  for (const e of TYPED_ARRAYS) if (view instanceof e.array) return e;
  return undefined;
}

const SIMPLE: Record<string, () => DataType> = {
  null: () => new Null(),
  bool: () => new Bool(),
  f16: () => new Float16(),
  utf8: () => new Utf8(),
  large_utf8: () => new LargeUtf8(),
  binary: () => new Binary(),
  large_binary: () => new LargeBinary(),
  date32: () => new DateDay(),
  date64: () => new DateMillisecond(),
};

// Types are immutable: one instance per simple type (the typed-array ones
// are those of TYPED_ARRAYS).
const CACHE = new Map<string, DataType>(
  TYPED_ARRAYS.map((e) => [e.dt, e.type]),
);

const UNITS = {
  s: TimeUnit.SECOND,
  ms: TimeUnit.MILLISECOND,
  us: TimeUnit.MICROSECOND,
  ns: TimeUnit.NANOSECOND,
} as const;
const UNIT_NAMES = ["s", "ms", "us", "ns"] as const;

function fieldFromSpec(f: FieldSpec): Field {
  if (typeof f !== "object" || f === null || typeof f.name !== "string") {
    throw new ProtocolError(`invalid field ${JSON.stringify(f)}`);
  }
  return new Field(f.name, arrowType(f.dt), f.nullable !== false);
}

function fieldToSpec(f: Field): FieldSpec {
  return { name: f.name, dt: typeSpec(f.type), nullable: f.nullable };
}

/** Builds the apache-arrow type for a wire `dt`; throws {@link ProtocolError} for an unknown one. */
export function arrowType(dt: DataTypeSpec): DataType {
  if (typeof dt === "string") {
    const cached = CACHE.get(dt);
    if (cached) return cached;
    const make = SIMPLE[dt];
    if (make) {
      const type = make();
      CACHE.set(dt, type);
      return type;
    }
  } else if (typeof dt === "object" && dt !== null) {
    if ("fixed_binary" in dt && Number.isSafeInteger(dt.fixed_binary)) {
      return new FixedSizeBinary(dt.fixed_binary);
    }
    if ("ts" in dt && dt.ts in UNITS) {
      return new Timestamp(UNITS[dt.ts], dt.tz ?? null);
    }
    if ("list" in dt) return new List(fieldFromSpec(dt.list));
    if ("large_list" in dt) return new LargeList(fieldFromSpec(dt.large_list));
    if ("fixed_list" in dt && Number.isSafeInteger(dt.size)) {
      return new FixedSizeList(dt.size, fieldFromSpec(dt.fixed_list));
    }
    if ("struct" in dt && Array.isArray(dt.struct)) {
      return new Struct(dt.struct.map(fieldFromSpec));
    }
  }
  throw new ProtocolError(`unknown data type ${JSON.stringify(dt)}`);
}

/** The wire `dt` of an apache-arrow type; throws `TypeError` for types the protocol lacks. */
export function typeSpec(type: DataType): DataTypeSpec {
  // deno-lint-ignore no-explicit-any
  const t = type as any;
  switch (type.typeId) {
    case Type.Null:
      return "null";
    case Type.Bool:
      return "bool";
    case Type.Int:
      return `${t.isSigned ? "i" : "u"}${t.bitWidth}`;
    case Type.Float:
      return ["f16", "f32", "f64"][t.precision];
    case Type.Utf8:
      return "utf8";
    case Type.LargeUtf8:
      return "large_utf8";
    case Type.Binary:
      return "binary";
    case Type.LargeBinary:
      return "large_binary";
    case Type.Date:
      return t.unit === 0 ? "date32" : "date64";
    case Type.FixedSizeBinary:
      return { fixed_binary: t.byteWidth };
    case Type.Timestamp:
      return { ts: UNIT_NAMES[t.unit as number], tz: t.timezone ?? null };
    case Type.List:
      return { list: fieldToSpec(t.children[0]) };
    case Type.LargeList:
      return { large_list: fieldToSpec(t.children[0]) };
    case Type.FixedSizeList:
      return { fixed_list: fieldToSpec(t.children[0]), size: t.listSize };
    case Type.Struct:
      return { struct: (t.children as Field[]).map(fieldToSpec) };
  }
  throw new TypeError(
    `apache-arrow type ${type} is not supported by the dora protocol (supported: null, bool, ints, floats, utf8, binary, dates, timestamps, fixed-size binary, lists, structs)`,
  );
}
