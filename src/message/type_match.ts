/**
 * Whether data of one wire data type (`dt`) satisfies an expected one: the
 * rule of the runtime type checks, shared by the node APIs (the Python node
 * API implements the same rule; `tests/protocol_vectors/type_match.json`
 * holds the cases both pass).
 *
 * Equivalent encodings of one logical type match (`utf8` / `large_utf8`,
 * `binary` / `large_binary`, `list` / `large_list`); struct fields match by
 * name, extra fields are allowed; nullability is ignored. With `bytes`, raw
 * bytes (a `u8` array) match a binary type too.
 *
 * @module
 */
import type { DataTypeSpec } from "./layout_types.ts";

const SAME: Record<string, string> = {
  large_utf8: "utf8",
  large_binary: "binary",
};

function base(dt: string): string {
  return SAME[dt] ?? dt;
}

/**
 * Whether `actual` satisfies `expected`. `rawBytes`: a `u8` array also
 * satisfies a binary type (what a node sends for raw bytes).
 *
 * @example
 * ```ts
 * typeMatches("large_utf8", "utf8"); // true
 * typeMatches("f64", "f32"); // false
 * ```
 */
export function typeMatches(
  expected: DataTypeSpec,
  actual: DataTypeSpec,
  rawBytes = false,
): boolean {
  if (typeof expected === "string" || typeof actual === "string") {
    if (typeof expected !== "string" || typeof actual !== "string") {
      return false;
    }
    if (base(expected) === base(actual)) return true;
    return rawBytes && base(expected) === "binary" && actual === "u8";
  }
  const listOf = (dt: DataTypeSpec) =>
    typeof dt === "object" && ("large_list" in dt || "list" in dt)
      ? ("large_list" in dt ? dt.large_list : dt.list).dt
      : undefined;
  const e = listOf(expected);
  if (e !== undefined) {
    const a = listOf(actual);
    return a !== undefined && typeMatches(e, a);
  }
  if ("struct" in expected) {
    if (!("struct" in actual)) return false;
    return expected.struct.every((f) => {
      const g = actual.struct.find((x) => x.name === f.name);
      return g !== undefined && typeMatches(f.dt, g.dt);
    });
  }
  if ("fixed_list" in expected) {
    return "fixed_list" in actual && expected.size === actual.size &&
      typeMatches(expected.fixed_list.dt, actual.fixed_list.dt);
  }
  return JSON.stringify(expected) === JSON.stringify(actual);
}

/**
 * Whether two wire data types are the same (field names, types and
 * nullability), without allocating: the fast path of repeated checks.
 */
export function sameType(a: DataTypeSpec, b: DataTypeSpec): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) {
        if (!sameField(x[i], y[i])) return false;
      }
    } else if (typeof x === "object" && x !== null && "dt" in x) {
      if (!sameField(x as never, y as never)) return false;
    } else return false;
  }
  return true;
}

function sameField(
  a: { name: string; dt: DataTypeSpec; nullable: boolean },
  b: { name: string; dt: DataTypeSpec; nullable: boolean },
): boolean {
  return typeof b === "object" && b !== null && a.name === b.name &&
    a.nullable === b.nullable && sameType(a.dt, b.dt);
}

const NAMES: Record<string, string> = {
  null: "Null",
  bool: "Boolean",
  i8: "Int8",
  i16: "Int16",
  i32: "Int32",
  i64: "Int64",
  u8: "UInt8",
  u16: "UInt16",
  u32: "UInt32",
  u64: "UInt64",
  f16: "Float16",
  f32: "Float32",
  f64: "Float64",
  utf8: "Utf8",
  large_utf8: "LargeUtf8",
  binary: "Binary",
  large_binary: "LargeBinary",
  date32: "Date32",
  date64: "Date64",
};

/**
 * A wire data type for people, in the Arrow names of type files: `Float32`,
 * `List<Utf8>`, `Struct<x: Float64, y: Float64>`.
 */
export function describeType(dt: DataTypeSpec): string {
  if (typeof dt === "string") return NAMES[dt] ?? dt;
  if ("large_list" in dt) return `List<${describeType(dt.large_list.dt)}>`;
  if ("list" in dt) return `List<${describeType(dt.list.dt)}>`;
  if ("fixed_list" in dt) {
    return `FixedSizeList<${describeType(dt.fixed_list.dt)}, ${dt.size}>`;
  }
  if ("struct" in dt) {
    return `Struct<${
      dt.struct.map((f) => `${f.name}: ${describeType(f.dt)}`).join(", ")
    }>`;
  }
  if ("fixed_binary" in dt) return `FixedSizeBinary<${dt.fixed_binary}>`;
  if ("ts" in dt) return `Timestamp<${dt.ts}${dt.tz ? `, ${dt.tz}` : ""}>`;
  return JSON.stringify(dt);
}
