/**
 * Lays a value out as the data layout `d` plus a payload of 64-byte-aligned
 * raw Arrow buffers (docs/protocol.md, "Data layout"). No Arrow IPC on this
 * path. What values are accepted, and how they become Arrow data, is
 * `to_arrow.ts`.
 *
 * @module
 */
import { type Data, Type } from "apache-arrow";
import { align64, type PayloadSource } from "./frame.ts";
import type { DataLayout } from "./layout_types.ts";
import { typedArrayType, typeSpec } from "./arrow_type.ts";
import { bytesOf, type SendableValue, toArrowData } from "./to_arrow.ts";

export type { SendableValue } from "./to_arrow.ts";

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
          bytesOf(values, length * data.stride * values.BYTES_PER_ELEMENT),
        ),
      );
      break;
    }
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const offs = d.valueOffsets as Int32Array;
      bufs.push(payload.add(bytesOf(offs.subarray(0, length + 1))));
      // Builders over-allocate: send only the bytes the offsets reach.
      const values: Uint8Array = d.values ?? new Uint8Array(0);
      const end = length > 0 ? Number(offs[length]) : 0;
      bufs.push(payload.add(values.subarray(0, Math.min(end, values.length))));
      break;
    }
    case Type.List:
    case Type.LargeList: {
      const offs = d.valueOffsets as Int32Array;
      bufs.push(payload.add(bytesOf(offs.subarray(0, length + 1))));
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
  const dt = ArrayBuffer.isView(value) ? typedArrayType(value)?.dt : undefined;
  if (dt !== undefined) {
    const payload = new Payload();
    const view = value as ArrayBufferView & { length: number };
    const layout: DataLayout = {
      dt,
      len: view.length,
      nulls: 0,
      off: 0,
      bufs: [null, payload.add(bytesOf(view))],
      ch: [],
    };
    return encoded(layout, payload);
  }
  const data = toArrowData(value);
  if (!data) return { layout: undefined, parts: [], size: 0, write() {} };
  const payload = new Payload();
  return encoded(layoutOf(data, payload), payload);
}

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
