/**
 * Metadata codec (docs/protocol.md, "Metadata `m`"): the HLC timestamp and
 * typed parameters `[type, value]`.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";

/** A parameter value as user code sees it. */
export type ParamValue =
  | boolean
  | number
  | bigint
  | string
  | Date
  | number[]
  | bigint[]
  | string[];

/** Parameters as user code sees them. */
export type Params = Record<string, ParamValue>;

/** Metadata as the node API hands it out. */
export interface Metadata {
  /** Hybrid-logical-clock timestamp, ns since the Unix epoch. */
  timestamp: bigint;
  /** Parameters, decoded to plain values. */
  parameters: Params;
}

/** One encoded parameter. */
export type WireParam = [string, unknown];

/** Metadata as it crosses the wire. */
export interface WireMetadata {
  /** Decimal string of the HLC timestamp in ns. */
  ts: string;
  /** Typed parameters; absent when empty. */
  p?: Record<string, WireParam>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function encodeInt(v: number | bigint, key: string): number | string {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      throw new TypeError(`parameter "${key}": ${v} is not a safe integer`);
    }
    return v;
  }
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new TypeError(`parameter "${key}": ${v} does not fit in an i64`);
  }
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function encodeFloat(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
}

function decodeFloat(v: unknown, key: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  throw new ProtocolError(
    `parameter "${key}": invalid float ${JSON.stringify(v)}`,
  );
}

function decodeInt(v: unknown, key: string): number | bigint {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  throw new ProtocolError(
    `parameter "${key}": invalid int ${JSON.stringify(v)}`,
  );
}

/**
 * Encodes one parameter. JS numbers that are integers become `int`, other
 * numbers `float`; bigints `int`; `Date` becomes `ts`; an empty list `strs`.
 */
export function encodeParam(key: string, v: ParamValue): WireParam {
  switch (typeof v) {
    case "boolean":
      return ["bool", v];
    case "number":
      return Number.isInteger(v) && Number.isSafeInteger(v)
        ? ["int", v]
        : ["float", encodeFloat(v)];
    case "bigint":
      return ["int", encodeInt(v, key)];
    case "string":
      return ["str", v];
  }
  if (v instanceof Date) {
    return ["ts", (BigInt(v.getTime()) * 1_000_000n).toString()];
  }
  if (Array.isArray(v)) {
    const list = v as unknown[];
    if (list.length === 0) return ["strs", []];
    if (list.every((x) => typeof x === "string")) return ["strs", list];
    if (
      list.every((x) =>
        typeof x === "bigint" ||
        (typeof x === "number" && Number.isSafeInteger(x))
      )
    ) {
      return ["ints", list.map((x) => encodeInt(x as number | bigint, key))];
    }
    if (list.every((x) => typeof x === "number")) {
      return ["floats", (list as number[]).map(encodeFloat)];
    }
  }
  throw new TypeError(
    `parameter "${key}": unsupported value (use bool, number, bigint, string, Date, or a list of numbers or strings)`,
  );
}

/** Decodes one parameter; throws {@link ProtocolError} on a malformed one. */
export function decodeParam(key: string, p: unknown): ParamValue {
  if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string") {
    throw new ProtocolError(`parameter "${key}": not a [type, value] pair`);
  }
  const [type, v] = p;
  const list = (): unknown[] => {
    if (!Array.isArray(v)) {
      throw new ProtocolError(`parameter "${key}": ${type} needs a list`);
    }
    return v;
  };
  switch (type) {
    case "bool":
      if (typeof v !== "boolean") break;
      return v;
    case "int":
      return decodeInt(v, key);
    case "float":
      return decodeFloat(v, key);
    case "str":
      if (typeof v !== "string") break;
      return v;
    case "ints":
      return list().map((x) => decodeInt(x, key)) as number[] | bigint[];
    case "floats":
      return list().map((x) => decodeFloat(x, key));
    case "strs": {
      const l = list();
      if (!l.every((x) => typeof x === "string")) break;
      return l as string[];
    }
    case "ts": {
      const ns = decodeInt(v, key);
      return new Date(Number(BigInt(ns) / 1_000_000n));
    }
    default:
      throw new ProtocolError(`parameter "${key}": unknown type "${type}"`);
  }
  throw new ProtocolError(
    `parameter "${key}": invalid ${type} value ${JSON.stringify(v)}`,
  );
}

/** Encodes metadata for a header (`p` is left out when there are no parameters). */
export function encodeMetadata(
  timestamp: bigint,
  params?: Params | null,
): WireMetadata {
  const m: WireMetadata = { ts: timestamp.toString() };
  if (params) {
    let p: Record<string, WireParam> | undefined;
    for (const key in params) {
      (p ??= {})[key] = encodeParam(key, params[key]);
    }
    if (p) m.p = p;
  }
  return m;
}

/** Decodes header metadata; throws {@link ProtocolError} on a malformed one. */
export function decodeMetadata(m: unknown): Metadata {
  if (typeof m !== "object" || m === null) {
    throw new ProtocolError("metadata must be an object");
  }
  const { ts, p } = m as { ts?: unknown; p?: unknown };
  if (typeof ts !== "string" || !/^\d+$/.test(ts)) {
    throw new ProtocolError(
      `metadata "ts" must be a decimal string (got ${JSON.stringify(ts)})`,
    );
  }
  const parameters: Params = {};
  if (p !== undefined) {
    if (typeof p !== "object" || p === null || Array.isArray(p)) {
      throw new ProtocolError('metadata "p" must be an object');
    }
    for (const [k, v] of Object.entries(p)) parameters[k] = decodeParam(k, v);
  }
  return { timestamp: BigInt(ts), parameters };
}
