/**
 * Tapped values for people and scripts (`topic echo`, `topic info`): the
 * Arrow type in short (`f32`, `list<utf8>`, `struct<x: i64, y: f64>`), the
 * values readably (numbers, strings, lists, structs), long arrays summarised
 * with their first and last values, and a JSON form. A payload cut at
 * `--max-bytes` still shows the values its first bytes hold (for flat
 * arrays) and says that it was cut.
 *
 * @module
 */
import { MapRow, StructRow, Vector } from "apache-arrow";
import { type DataLayout, decodeValue } from "../message/mod.ts";
import type { DataTypeSpec } from "../message/layout_types.ts";

/** A value ready to print. */
export interface FormattedValue {
  /** Short Arrow type, e.g. `f64` or `list<utf8>`; `empty` for no data (a timer tick). */
  type: string;
  /** Number of elements of the array. */
  len: number;
  /** The values for people: `[1, 2, 3]`, or `[1, 2, …, 9, 10]` when long. */
  text: string;
  /**
   * The values as JSON: all of them when the payload was complete, else
   * those the received bytes hold; `null` when none could be read.
   */
  values: unknown[] | null;
  /** Whether every value was decoded. */
  complete: boolean;
}

/** A short name of an Arrow wire type. */
export function typeName(dt: DataTypeSpec): string {
  if (typeof dt === "string") return dt;
  if ("fixed_binary" in dt) return `fixed_binary[${dt.fixed_binary}]`;
  if ("ts" in dt) return `timestamp[${dt.ts}${dt.tz ? `, ${dt.tz}` : ""}]`;
  if ("list" in dt) return `list<${typeName(dt.list.dt)}>`;
  if ("large_list" in dt) return `large_list<${typeName(dt.large_list.dt)}>`;
  if ("fixed_list" in dt) {
    return `fixed_list<${typeName(dt.fixed_list.dt)}; ${dt.size}>`;
  }
  if ("struct" in dt) {
    return `struct<${
      dt.struct.map((f) => `${f.name}: ${typeName(f.dt)}`).join(", ")
    }>`;
  }
  return JSON.stringify(dt);
}

const WIDTHS: Record<string, number> = {
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  f16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  date32: 4,
  i64: 8,
  u64: 8,
  f64: 8,
  date64: 8,
};

function widthOf(dt: DataTypeSpec): number | undefined {
  if (typeof dt === "string") return WIDTHS[dt];
  if ("ts" in dt) return 8;
  if ("fixed_binary" in dt) return dt.fixed_binary;
  return undefined;
}

/** Whether every buffer of `l` lies inside `size` bytes. */
function fits(l: DataLayout, size: number): boolean {
  for (const b of l.bufs ?? []) {
    if (b && b[1] > 0 && b[0] + b[1] > size) return false;
  }
  return (l.ch ?? []).every((c) => fits(c, size));
}

/**
 * The layout of the first elements of a flat array whose buffers lie in the
 * first `size` bytes of the payload (for a payload cut short), or undefined
 * when nothing can be read.
 */
function prefixLayout(
  l: DataLayout,
  payload: Uint8Array,
): DataLayout | undefined {
  const size = payload.length;
  const off = l.off ?? 0;
  if (off !== 0 || (l.ch ?? []).length > 0) return undefined;
  const bufs = l.bufs ?? [];
  const room = (b: [number, number] | null | undefined) =>
    b ? Math.max(0, Math.min(b[1], size - b[0])) : Infinity;
  // Validity bits limit every type.
  let n = Math.min(l.len, room(bufs[0]) * 8);
  const width = widthOf(l.dt);
  if (width !== undefined) {
    n = Math.min(n, Math.floor(room(bufs[1]) / width));
    if (n <= 0) return undefined;
    return {
      ...l,
      len: n,
      nulls: -1,
      bufs: [
        bufs[0] ? [bufs[0][0], Math.ceil(n / 8)] : null,
        [bufs[1]![0], n * width],
      ],
    };
  }
  if (l.dt === "bool") {
    n = Math.min(n, room(bufs[1]) * 8);
    if (n <= 0) return undefined;
    return {
      ...l,
      len: n,
      nulls: -1,
      bufs: [
        bufs[0] ? [bufs[0][0], Math.ceil(n / 8)] : null,
        [bufs[1]![0], Math.ceil(n / 8)],
      ],
    };
  }
  if (l.dt === "utf8" || l.dt === "binary") {
    const offs = bufs[1];
    const values = bufs[2];
    if (!offs) return undefined;
    n = Math.min(n, Math.floor(room(offs) / 4) - 1);
    const view = new DataView(payload.buffer, payload.byteOffset, size);
    const vroom = values ? room(values) : 0;
    // Keep the strings whose bytes all arrived.
    while (n > 0 && view.getInt32(offs[0] + n * 4, true) > vroom) n--;
    if (n <= 0) return undefined;
    const end = view.getInt32(offs[0] + n * 4, true);
    return {
      ...l,
      len: n,
      nulls: -1,
      bufs: [
        bufs[0] ? [bufs[0][0], Math.ceil(n / 8)] : null,
        [offs[0], (n + 1) * 4],
        values ? [values[0], end] : null,
      ],
    };
  }
  return undefined;
}

/**
 * A decoded element as plain JSON (bigints as numbers when safe, else text;
 * bytes as hex, or base64 where the reader expects it, like Foxglove).
 */
export function toPlain(
  v: unknown,
  bytes: "hex" | "base64" = "hex",
): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "bigint": {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v.toString();
    }
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "string":
    case "boolean":
      return v;
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) {
    return bytes === "hex" ? v.toHex() : v.toBase64();
  }
  // A list element is a Vector; a struct element a StructRow (a map's a MapRow).
  if (v instanceof Vector) return [...v].map((x) => toPlain(x, bytes));
  if (v instanceof StructRow || v instanceof MapRow) {
    const json = (v as { toJSON(): Record<string, unknown> }).toJSON();
    return Object.fromEntries(
      Object.entries(json).map(([k, x]) => [k, toPlain(x, bytes)]),
    );
  }
  return String(v);
}

function short(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === "string") {
    return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}…` : v);
  }
  if (Array.isArray(v)) return listText(v, 6);
  if (typeof v === "object") {
    return `{${
      Object.entries(v as Record<string, unknown>).map(([k, x]) =>
        `${k}: ${short(x)}`
      ).join(", ")
    }}`;
  }
  return String(v);
}

/** `[a, b, c]`, or the first and last `maxItems / 2` with `…` between. */
function listText(
  values: unknown[],
  maxItems: number,
  total = values.length,
): string {
  const half = Math.max(1, Math.floor(maxItems / 2));
  if (values.length <= maxItems && total === values.length) {
    return `[${values.map(short).join(", ")}]`;
  }
  if (total > values.length) {
    // Only the start arrived.
    return `[${values.slice(0, maxItems).map(short).join(", ")}, …]`;
  }
  return `[${values.slice(0, half).map(short).join(", ")}, … ${
    values.length - 2 * half
  } more …, ${values.slice(-half).map(short).join(", ")}]`;
}

/**
 * Formats a tapped value: its layout, the payload bytes received (maybe cut
 * short) and the full payload size.
 *
 * @example
 * ```ts
 * const v = formatValue(layout, bytes, bytes.length);
 * console.log(`${v.type}[${v.len}] ${v.text}`); // f64[3] [1, 2, 3]
 * ```
 */
export function formatValue(
  layout: DataLayout | undefined | null,
  bytes: Uint8Array | null,
  size: number,
  opts: { maxItems?: number } = {},
): FormattedValue {
  const maxItems = opts.maxItems ?? 8;
  if (!layout) {
    return {
      type: "empty",
      len: 0,
      text: "(no data)",
      values: [],
      complete: true,
    };
  }
  const payload = bytes ?? new Uint8Array(0);
  const type = typeName(layout.dt);
  const complete = payload.length >= size && fits(layout, payload.length);
  let values: unknown[] | null = null;
  try {
    if (complete) {
      values = [...decodeValue(layout, payload)].map((v) => toPlain(v));
    } else {
      const prefix = prefixLayout(layout, payload);
      if (prefix) {
        values = [...decodeValue(prefix, payload)].map((v) => toPlain(v));
      }
    }
  } catch (err) {
    return {
      type,
      len: layout.len,
      text: `(cannot decode: ${
        err instanceof Error ? err.message : String(err)
      })`,
      values: null,
      complete: false,
    };
  }
  let text: string;
  if (values === null) {
    text = `(${size} bytes; values not shown: raise --max-bytes to see them)`;
  } else {
    text = listText(values, maxItems, complete ? values.length : layout.len);
    if (!complete) {
      text += ` (first ${payload.length} of ${size} bytes)`;
    }
  }
  return { type, len: layout.len, text, values, complete };
}
