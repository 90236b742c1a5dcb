/**
 * The open-data encoding: how a dora message looks to any zenoh application
 * (docs/zenoh.md, "Open data"). Self-describing through the zenoh encoding:
 *
 * - `application/json`: small primitive values (at most
 *   {@link JSON_MAX_VALUES} numbers, booleans or strings, no nulls) as a JSON
 *   array, e.g. `[42]`, when JSON keeps them exactly (safe integers, finite
 *   floats).
 * - `application/vnd.apache.arrow.stream`: anything else, as an Arrow IPC
 *   stream with one record batch and one column named `data` (what pyarrow's
 *   `ipc.open_stream` reads).
 * - `application/octet-stream`: raw bytes from a zenoh application that used
 *   neither (read as a uint8 array).
 *
 * The attachment is the dora metadata as JSON, `{"ts": "<HLC timestamp, ns>",
 * "params": {...}}` (see {@link openDataAttachment}).
 *
 * @module
 */
import {
  Bool,
  Float64,
  makeVector,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";

/** Zenoh encodings of the open data. */
export const ARROW_STREAM = "application/vnd.apache.arrow.stream";
export const JSON_ENCODING = "application/json";
export const OCTET_STREAM = "application/octet-stream";

/** At most this many primitive values travel as JSON. */
export const JSON_MAX_VALUES = 64;

/** One message ready for a zenoh put. */
export interface OpenDataSample {
  payload: Uint8Array;
  encoding: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes an Arrow vector for zenoh.
 *
 * @example
 * ```ts
 * import { vectorFromArray } from "apache-arrow";
 * encodeOpenData(vectorFromArray([1, 2])).encoding; // "application/json"
 * ```
 */
export function encodeOpenData(value: Vector): OpenDataSample {
  const typeId = value.type.typeId;
  // Int = 2, Float = 3, Utf8 = 5, Bool = 6 (apache-arrow's Type enum).
  const primitive = [2, 3, 5, 6].includes(typeId);
  if (
    primitive && value.length <= JSON_MAX_VALUES && value.nullCount === 0
  ) {
    const values = jsonValues(value);
    if (values) {
      return {
        payload: encoder.encode(JSON.stringify(values)),
        encoding: JSON_ENCODING,
      };
    }
  }
  return {
    payload: tableToIPC(new Table({ data: value }), "stream"),
    encoding: ARROW_STREAM,
  };
}

/**
 * A JSON array as a vector dora nodes can send on: numbers as float64,
 * booleans as bool, strings as utf8; anything else (objects, nulls, mixed
 * kinds) as utf8 holding each element's JSON.
 */
function jsonVector(values: unknown[]): Vector {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size === 1 && kinds.has("number")) {
    return vectorFromArray(values as number[], new Float64());
  }
  if (kinds.size === 1 && kinds.has("boolean")) {
    return vectorFromArray(values as boolean[], new Bool());
  }
  return vectorFromArray(
    values.map((v) => typeof v === "string" ? v : JSON.stringify(v)),
    new Utf8(),
  );
}

/**
 * The values as JSON keeps them exactly, or undefined: a 64-bit integer
 * beyond 2^53 or a non-finite float goes as Arrow instead.
 */
function jsonValues(value: Vector): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of value) {
    if (typeof v === "bigint") {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) return undefined;
      out.push(n);
    } else if (typeof v === "number" && !Number.isFinite(v)) return undefined;
    else out.push(v);
  }
  return out;
}

/** Decodes a zenoh sample of any of the encodings above into a vector. */
export function decodeOpenData(payload: Uint8Array, encoding: string): Vector {
  const base = encoding.split(";")[0];
  if (base === ARROW_STREAM) {
    const table = tableFromIPC(payload);
    const column = table.getChild("data") ?? table.getChildAt(0);
    if (!column) throw new Error("an Arrow stream without a column");
    return column;
  }
  if (base === JSON_ENCODING || base === "text/json") {
    const v = JSON.parse(decoder.decode(payload));
    return jsonVector(Array.isArray(v) ? v : [v]);
  }
  if (base.startsWith("text/") || base === "zenoh/string") {
    return vectorFromArray([decoder.decode(payload)], new Utf8());
  }
  return makeVector(payload.slice());
}

/**
 * The attachment of an open-data sample: the HLC timestamp (decimal string,
 * ns since the Unix epoch) and the message's parameters as plain JSON
 * (integers beyond 2^53 as decimal strings, dates as ISO strings).
 *
 * @example
 * ```ts
 * new TextDecoder().decode(openDataAttachment(12n, { frame: 3 }));
 * // '{"ts":"12","params":{"frame":3}}'
 * ```
 */
export function openDataAttachment(
  timestamp: bigint | string,
  params: Record<string, unknown>,
): Uint8Array {
  return encoder.encode(JSON.stringify(
    { ts: String(timestamp), params },
    (_k, v) =>
      typeof v === "bigint"
        ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString())
        : v,
  ));
}

/** Reads an attachment written by {@link openDataAttachment}. */
export function readOpenDataAttachment(
  bytes: Uint8Array | undefined,
): { ts?: string; params: Record<string, unknown> } {
  if (!bytes) return { params: {} };
  try {
    const v = JSON.parse(decoder.decode(bytes));
    return {
      ...(typeof v?.ts === "string" ? { ts: v.ts } : {}),
      params: v?.params && typeof v.params === "object" ? v.params : {},
    };
  } catch {
    return { params: {} };
  }
}
