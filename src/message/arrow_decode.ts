/**
 * Decodes a data layout plus payload into an apache-arrow Vector without
 * copying: every buffer becomes a view of the payload.
 *
 * @module
 */
import {
  Data,
  type DataType,
  makeData,
  makeVector,
  Null,
  Type,
  type Vector,
} from "apache-arrow";
import { ProtocolError } from "./errors.ts";
import type { DataLayout } from "./layout_types.ts";
import { arrowType } from "./arrow_type.ts";

const EMPTY = new Uint8Array(0);

function bufferCount(type: DataType): number {
  switch (type.typeId) {
    case Type.Null:
      return 0;
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return 3;
    case Type.FixedSizeList:
    case Type.Struct:
      return 1;
    default:
      return 2;
  }
}

function fail(path: string, what: string): never {
  throw new ProtocolError(`data layout${path}: ${what}`);
}

function decodeData(l: DataLayout, payload: Uint8Array, path: string): Data {
  if (typeof l !== "object" || l === null) fail(path, "not an object");
  const type = arrowType(l.dt);
  const { len, off } = l;
  const nulls = l.nulls ?? 0;
  if (!Number.isSafeInteger(len) || len < 0) fail(path, `invalid len ${len}`);
  if (!Number.isSafeInteger(off ?? 0) || (off ?? 0) < 0) {
    fail(path, `invalid off ${off}`);
  }
  const offset = off ?? 0;
  const full = offset + len;
  const bufs = l.bufs ?? [];
  const want = bufferCount(type);
  // Tolerate [null] for the null type (pyarrow reports one absent buffer).
  if (
    bufs.length !== want &&
    !(want === 0 && bufs.length === 1 && bufs[0] === null)
  ) {
    fail(
      path,
      `type ${JSON.stringify(l.dt)} needs ${want} buffers, got ${bufs.length}`,
    );
  }
  const view = (
    i: number,
    minBytes: number,
    name: string,
  ): Uint8Array | undefined => {
    const b = bufs[i];
    if (b === null || b === undefined) return undefined;
    if (!Array.isArray(b) || b.length !== 2) {
      fail(path, `buffer ${i} is not [offset, length]`);
    }
    const [start, size] = b;
    if (
      !Number.isSafeInteger(start) || !Number.isSafeInteger(size) ||
      start < 0 || size < 0
    ) {
      fail(path, `buffer ${i} has an invalid range ${JSON.stringify(b)}`);
    }
    if (size === 0) {
      if (minBytes > 0) {
        fail(path, `${name} buffer is empty but needs ${minBytes} bytes`);
      }
      return EMPTY;
    }
    if (start % 64 !== 0) {
      fail(path, `buffer ${i} starts at ${start}, not a multiple of 64`);
    }
    if (start + size > payload.length) {
      fail(
        path,
        `buffer ${i} [${start}, ${size}] exceeds the payload of ${payload.length} bytes`,
      );
    }
    if (size < minBytes) {
      fail(
        path,
        `${name} buffer has ${size} bytes, needs at least ${minBytes}`,
      );
    }
    return payload.subarray(start, start + size);
  };
  const bitmapBytes = (full + 7) >> 3;
  const nullBitmap = want > 0 ? view(0, bitmapBytes, "validity") : undefined;
  const children = (l.ch ?? []).map((c, i) =>
    decodeData(c, payload, `${path}.ch[${i}]`)
  );
  // deno-lint-ignore no-explicit-any
  const t = type as any;
  // deno-lint-ignore no-explicit-any
  const props: any = {
    type,
    offset: 0,
    length: full,
    nullCount: nullBitmap ? (offset === 0 ? nulls : -1) : 0,
    nullBitmap,
  };
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type: new Null(), length: len });
    case Type.Bool:
      props.data = view(1, bitmapBytes, "values");
      break;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.FixedSizeBinary: {
      const width = type.typeId === Type.FixedSizeBinary
        ? t.byteWidth
        : type.typeId === Type.Date
        ? (t.unit === 0 ? 4 : 8)
        : type.typeId === Type.Timestamp
        ? 8
        : t.bitWidth >> 3 ||
          (t.precision === 0 ? 2 : t.precision === 1 ? 4 : 8);
      const bytes = view(1, full * width, "values");
      if (bytes && type.typeId !== Type.FixedSizeBinary) {
        // Hot path: skip makeData's visitor, view the payload directly
        // (offsets are multiples of 64, so the view is always aligned).
        const Ctor = t.ArrayType;
        const values = new Ctor(
          bytes.buffer,
          bytes.byteOffset,
          (full * width) / Ctor.BYTES_PER_ELEMENT,
        );
        const data = new Data(type, 0, full, props.nullCount, [
          undefined,
          values,
          nullBitmap ?? EMPTY,
        ] as never);
        return offset === 0 ? data : data.slice(offset, len);
      }
      props.data = bytes;
      break;
    }
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const large = type.typeId === Type.LargeUtf8 ||
        type.typeId === Type.LargeBinary;
      props.valueOffsets = view(1, (full + 1) * (large ? 8 : 4), "offsets");
      props.data = view(2, 0, "values") ?? EMPTY;
      break;
    }
    case Type.List:
    case Type.LargeList: {
      const large = type.typeId === Type.LargeList;
      props.valueOffsets = view(1, (full + 1) * (large ? 8 : 4), "offsets");
      if (children.length !== 1) {
        fail(path, `a list needs 1 child, got ${children.length}`);
      }
      props.child = children[0];
      break;
    }
    case Type.FixedSizeList:
      if (children.length !== 1) {
        fail(path, `a fixed list needs 1 child, got ${children.length}`);
      }
      props.child = children[0];
      break;
    case Type.Struct:
      if (children.length !== t.children.length) {
        fail(
          path,
          `struct has ${t.children.length} fields but ${children.length} children`,
        );
      }
      props.children = children;
      break;
  }
  if (
    props.data === undefined && want >= 2 && type.typeId !== Type.List &&
    type.typeId !== Type.LargeList
  ) {
    fail(path, "values buffer is missing");
  }
  const data = makeData(props) as Data;
  return offset === 0 ? data : data.slice(offset, len);
}

/**
 * Rebuilds the array described by `layout` over `payload` (zero-copy: the
 * vector's buffers are views of the payload). An absent layout (an empty
 * message, e.g. a timer tick) gives an empty Null vector.
 *
 * @example
 * ```ts
 * const vec = decodeValue(header.d, frame.payload);
 * ```
 */
export function decodeValue(
  layout: DataLayout | undefined | null,
  payload: Uint8Array | null,
): Vector {
  if (!layout) return makeVector(makeData({ type: new Null(), length: 0 }));
  return makeVector(decodeData(layout, payload ?? EMPTY, ""));
}
