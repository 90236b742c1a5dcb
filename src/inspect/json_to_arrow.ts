/**
 * JSON → Arrow for `dora topic pub`: numbers (integers → Int64, any fraction
 * → Float64), strings (Utf8), booleans, lists (List) and objects (Struct),
 * with `null` making a column nullable. A top-level array is the Arrow array;
 * a scalar or an object is a one-element array, as the original dora does.
 * A value that has no single Arrow type (a list mixing numbers and strings)
 * is a {@linkcode JsonToArrowError} naming where, and nothing is built.
 *
 * @module
 */
import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float64,
  Int64,
  List,
  makeBuilder,
  makeData,
  Null,
  Struct,
  Utf8,
} from "apache-arrow";
import { type EncodedValue, encodeValue } from "../message/mod.ts";

/** A JSON value that has no Arrow type. */
export class JsonToArrowError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`cannot convert the JSON value to Arrow: at ${path}: ${problem}`);
    this.name = "JsonToArrowError";
  }
}

/** The inferred type of a JSON value (before nullability). */
type Shape =
  | { k: "null" }
  | { k: "bool" }
  | { k: "int" }
  | { k: "float" }
  | { k: "utf8" }
  | { k: "list"; item: Shape }
  | { k: "struct"; fields: Map<string, Shape> };

function kindName(s: Shape): string {
  switch (s.k) {
    case "int":
    case "float":
      return "a number";
    case "bool":
      return "a boolean";
    case "utf8":
      return "a string";
    case "list":
      return "a list";
    case "struct":
      return "an object";
    case "null":
      return "null";
  }
}

function shapeOf(v: unknown, path: string): Shape {
  if (v === null) return { k: "null" };
  switch (typeof v) {
    case "boolean":
      return { k: "bool" };
    case "number":
      if (!Number.isFinite(v)) {
        throw new JsonToArrowError(path, `${v} is not a finite number`);
      }
      return Number.isSafeInteger(v) ? { k: "int" } : { k: "float" };
    case "string":
      return { k: "utf8" };
  }
  if (Array.isArray(v)) {
    let item: Shape = { k: "null" };
    v.forEach((x, i) => {
      item = merge(item, shapeOf(x, `${path}[${i}]`), `${path}[${i}]`);
    });
    return { k: "list", item };
  }
  if (typeof v === "object") {
    const fields = new Map<string, Shape>();
    for (const [key, x] of Object.entries(v as Record<string, unknown>)) {
      fields.set(key, shapeOf(x, `${path}.${key}`));
    }
    return { k: "struct", fields };
  }
  throw new JsonToArrowError(path, `unsupported value ${String(v)}`);
}

/** The one shape both fit, or an error naming `path`. */
function merge(a: Shape, b: Shape, path: string): Shape {
  if (a.k === "null") return b;
  if (b.k === "null") return a;
  if (
    (a.k === "int" || a.k === "float") && (b.k === "int" || b.k === "float")
  ) {
    return a.k === "float" || b.k === "float" ? { k: "float" } : { k: "int" };
  }
  if (a.k !== b.k) {
    throw new JsonToArrowError(
      path,
      `${kindName(b)} where the elements before are ${
        kindName(a).replace(/^an? /, "")
      }s (a list needs one type)`,
    );
  }
  if (a.k === "list" && b.k === "list") {
    return { k: "list", item: merge(a.item, b.item, path) };
  }
  if (a.k === "struct" && b.k === "struct") {
    const fields = new Map(a.fields);
    for (const [key, s] of b.fields) {
      fields.set(
        key,
        fields.has(key) ? merge(fields.get(key)!, s, `${path}.${key}`) : s,
      );
    }
    return { k: "struct", fields };
  }
  return a;
}

function arrowTypeOf(s: Shape): DataType {
  switch (s.k) {
    case "null":
      return new Null();
    case "bool":
      return new Bool();
    case "int":
      return new Int64();
    case "float":
      return new Float64();
    case "utf8":
      return new Utf8();
    case "list":
      return new List(new Field("item", arrowTypeOf(s.item), true));
    case "struct":
      return new Struct(
        [...s.fields].map(([name, f]) => new Field(name, arrowTypeOf(f), true)),
      );
  }
}

/** Values as the builder of `s` wants them (Int64 takes bigints). */
function prepare(v: unknown, s: Shape): unknown {
  if (v === null || v === undefined) return null;
  switch (s.k) {
    case "int":
      return BigInt(v as number);
    case "list":
      return (v as unknown[]).map((x) => prepare(x, s.item));
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const [key, f] of s.fields) {
        out[key] = prepare((v as Record<string, unknown>)[key], f);
      }
      return out;
    }
    default:
      return v;
  }
}

/** Builds the Arrow array for a parsed JSON value. */
export function jsonToArrow(value: unknown): Data {
  const rows = Array.isArray(value) ? value : [value];
  const shape = shapeOf(value, "$");
  const item = shape.k === "list" && Array.isArray(value) ? shape.item : shape;
  const type = arrowTypeOf(item);
  if (item.k === "null") {
    return makeData({ type: new Null(), length: rows.length });
  }
  const builder = makeBuilder({ type, nullValues: [null, undefined] });
  for (const row of rows) builder.append(prepare(row, item));
  return builder.finish().flush();
}

/**
 * Parses JSON text and encodes it for sending: the data layout and the
 * payload. Throws {@linkcode JsonToArrowError} (also for text that is not
 * JSON).
 *
 * @example
 * ```ts
 * const { layout, payload } = encodeJsonValue("[1, 2, 3]");
 * layout?.dt; // "i64"
 * ```
 */
export function encodeJsonValue(
  text: string,
): { layout: EncodedValue["layout"]; payload: Uint8Array } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonToArrowError(
      "$",
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const enc = encodeValue(jsonToArrow(value));
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return { layout: enc.layout, payload };
}
