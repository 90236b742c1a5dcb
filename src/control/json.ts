/**
 * JSON for the control plane: bigints (timer intervals, clock values) survive
 * the round trip as `{"$bigint": "123"}`.
 *
 * @module
 */

/** Serializes `value`, encoding bigints so {@link decodeJson} restores them. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => typeof v === "bigint" ? { $bigint: v.toString() } : v,
  );
}

/** Parses text written by {@link encodeJson}. */
export function decodeJson(text: string): unknown {
  // Most frames carry no bigint: the reviver costs more than the parse.
  if (!text.includes('"$bigint"')) return JSON.parse(text);
  return JSON.parse(text, (_k, v) => {
    if (
      v !== null && typeof v === "object" && !Array.isArray(v) &&
      typeof v.$bigint === "string" && Object.keys(v).length === 1
    ) return BigInt(v.$bigint);
    return v;
  });
}
