/**
 * Arrow type names as type files write them (`Float32`, `Utf8`,
 * `List<Float64>`, ...) and the wire data type (`dt` of docs/protocol.md)
 * each one stands for.
 *
 * @module
 */

/** Primitive Arrow type names and their wire data type. */
export const ARROW_PRIMITIVES: Readonly<Record<string, string>> = {
  Boolean: "bool",
  Int8: "i8",
  Int16: "i16",
  Int32: "i32",
  Int64: "i64",
  UInt8: "u8",
  UInt16: "u16",
  UInt32: "u32",
  UInt64: "u64",
  Float16: "f16",
  Float32: "f32",
  Float64: "f64",
  Utf8: "utf8",
  LargeUtf8: "large_utf8",
  Binary: "binary",
  LargeBinary: "large_binary",
  Date32: "date32",
  Date64: "date64",
};

/** What `arrow:` of a type may say besides a primitive: `Struct` or `List<T>`. */
export const ARROW_COMPOSITES = ["Struct", "List<T>"] as const;

/** A parsed type expression of a type file (an `arrow:` value or a field `type`). */
export type TypeExpr =
  | { kind: "primitive"; name: string; dt: string }
  | { kind: "list"; item: TypeExpr }
  | { kind: "struct" }
  | { kind: "ref"; name: string };

/**
 * Parses a type expression: a primitive Arrow name, `Struct`, `List<T>`, or a
 * reference to another type (short name or URN). Returns a message when the
 * text is malformed (`List<` without `>`, empty).
 *
 * @example
 * ```ts
 * parseTypeExpr("List<Float32>"); // { kind: "list", item: { kind: "primitive", name: "Float32", dt: "f32" } }
 * parseTypeExpr("Vector3"); // { kind: "ref", name: "Vector3" }
 * ```
 */
export function parseTypeExpr(text: string): TypeExpr | string {
  const t = text.trim();
  if (t === "") return "the type is empty";
  if (Object.hasOwn(ARROW_PRIMITIVES, t)) {
    return { kind: "primitive", name: t, dt: ARROW_PRIMITIVES[t]! };
  }
  if (t === "Struct") return { kind: "struct" };
  if (t.startsWith("List<") || t.startsWith("List <")) {
    if (!t.endsWith(">")) return `"${t}" has no closing ">"`;
    const inner = t.slice(t.indexOf("<") + 1, -1);
    const item = parseTypeExpr(inner);
    if (typeof item === "string") return `in "${t}": ${item}`;
    if (item.kind === "struct") {
      return `"${t}": a list item must be a named type, not Struct`;
    }
    return { kind: "list", item };
  }
  if (/[<>\s]/.test(t)) {
    return `"${t}" is not a type (expected an Arrow type such as Float32, List<T>, or a type name)`;
  }
  return { kind: "ref", name: t };
}

/** Renders a wire data type for people: `Float32`, `List<Utf8>`, `Struct<x: Float64, ...>`. */
export { describeType as describeDataType } from "../../message/type_match.ts";
