/**
 * The "meaning" of a decoded array as plain JSON, shared by the vector
 * generator and the vector test: one entry per element, `null` for nulls,
 * 64-bit integers, dates and timestamps as their raw stored integers (numbers,
 * or decimal strings beyond ±2^53), binary as hex, lists as arrays, structs
 * as objects.
 *
 * @module
 */
import { type Data, Type, type Vector } from "apache-arrow";

/** Hex of bytes. */
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Bytes of hex. */
export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function int(v: number | bigint): number | string {
  if (typeof v === "number") return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function valid(data: Data, i: number): boolean {
  // deno-lint-ignore no-explicit-any
  const bitmap = (data as any).nullBitmap as Uint8Array | undefined;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return true;
  const j = data.offset + i;
  return (bitmap[j >> 3] & (1 << (j & 7))) !== 0;
}

function element(data: Data, i: number): unknown {
  if (!valid(data, i)) return null;
  // deno-lint-ignore no-explicit-any
  const d = data as any;
  const t = d.type;
  switch (data.type.typeId) {
    case Type.Null:
      return null;
    case Type.Bool: {
      const j = data.offset + i;
      return (d.values[j >> 3] & (1 << (j & 7))) !== 0;
    }
    case Type.Int:
    case Type.Date:
    case Type.Timestamp: {
      if (data.stride === 2) {
        // 64-bit values stored as int32 pairs
        const lo = BigInt(d.values[2 * i] >>> 0);
        const hi = BigInt(d.values[2 * i + 1]);
        return int((hi << 32n) | lo);
      }
      return int(d.values[i]);
    }
    case Type.Float:
      if (t.precision === 0) {
        const h = d.values[i];
        const s = h & 0x8000 ? -1 : 1;
        const e = (h >> 10) & 0x1f;
        const f = h & 0x3ff;
        if (e === 0) return s * f * 2 ** -24;
        if (e === 31) return f ? NaN : s * Infinity;
        return s * (1 + f / 1024) * 2 ** (e - 15);
      }
      return d.values[i];
    case Type.FixedSizeBinary:
      return hex(d.values.subarray(i * t.byteWidth, (i + 1) * t.byteWidth));
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const a = Number(d.valueOffsets[i]);
      const b = Number(d.valueOffsets[i + 1]);
      const bytes = d.values.subarray(a, b);
      return t.typeId === Type.Utf8 || t.typeId === Type.LargeUtf8
        ? new TextDecoder().decode(bytes)
        : hex(bytes);
    }
    case Type.List:
    case Type.LargeList: {
      const a = Number(d.valueOffsets[i]);
      const b = Number(d.valueOffsets[i + 1]);
      const child = data.children[0];
      return Array.from({ length: b - a }, (_, k) => element(child, a + k));
    }
    case Type.FixedSizeList: {
      const n = t.listSize;
      const child = data.children[0];
      return Array.from({ length: n }, (_, k) => element(child, i * n + k));
    }
    case Type.Struct: {
      const out: Record<string, unknown> = {};
      t.children.forEach((f: { name: string }, k: number) => {
        out[f.name] = element(data.children[k], i);
      });
      return out;
    }
  }
  throw new Error(`no meaning for ${data.type}`);
}

/** Plain-JSON meaning of a single-chunk vector. */
export function meaning(vec: Vector): unknown[] {
  const out: unknown[] = [];
  for (const data of vec.data) {
    for (let i = 0; i < data.length; i++) out.push(element(data, i));
  }
  return out;
}
