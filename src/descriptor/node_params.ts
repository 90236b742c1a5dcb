/**
 * Runtime parameters of a node (`params:` of a path node, `dora param`):
 * keys are strings of at most 256 UTF-8 bytes without NUL, values are any
 * JSON value of at most 64 KiB serialised. The same limits everywhere the
 * values enter: the descriptor, the CLI, the coordinator and `dora run`.
 *
 * @module
 */

/** Longest key, in UTF-8 bytes. */
export const MAX_PARAM_KEY_BYTES = 256;
/** Largest value, serialised as JSON, in UTF-8 bytes. */
export const MAX_PARAM_VALUE_BYTES = 64 * 1024;

/** A JSON value. */
export type ParamValue =
  | null
  | boolean
  | number
  | string
  | ParamValue[]
  | { [key: string]: ParamValue };

/** A node's parameters, key → value. */
export type NodeParams = Record<string, ParamValue>;

const encoder = new TextEncoder();

/** Why `key` cannot be a parameter key, or `undefined` when it can. */
export function paramKeyProblem(key: string): string | undefined {
  if (key.length === 0) return "a parameter key must not be empty";
  if (key.includes("\0")) return "a parameter key must not contain NUL";
  const bytes = encoder.encode(key).byteLength;
  if (bytes > MAX_PARAM_KEY_BYTES) {
    return `parameter key is ${bytes} bytes long; the limit is ${MAX_PARAM_KEY_BYTES} bytes`;
  }
  return undefined;
}

/**
 * Why `value` cannot be a parameter value (not JSON, or too big), or
 * `undefined` when it can.
 */
export function paramValueProblem(value: unknown): string | undefined {
  const text = jsonText(value);
  if (text === undefined) return "a parameter value must be a JSON value";
  const bytes = encoder.encode(text).byteLength;
  if (bytes > MAX_PARAM_VALUE_BYTES) {
    return `parameter value is ${bytes} bytes as JSON; the limit is ${MAX_PARAM_VALUE_BYTES} bytes (64 KiB)`;
  }
  return undefined;
}

/** `value` as JSON text, or `undefined` when it is not a JSON value. */
function jsonText(value: unknown): string | undefined {
  if (!isJson(value, 0)) return undefined;
  return JSON.stringify(value);
}

function isJson(v: unknown, depth: number): boolean {
  if (depth > 512) return false;
  if (v === null || typeof v === "boolean" || typeof v === "string") {
    return true;
  }
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v as object).every((x) => isJson(x, depth + 1));
  }
  return false;
}
