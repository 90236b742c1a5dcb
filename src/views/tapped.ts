/**
 * Tapped messages made readable for viewers: the Arrow type, the values as
 * text and JSON (through the inspection's value formatter), and the numbers
 * a live plot can draw.
 *
 * @module
 */
import {
  type FormattedValue,
  formatValue,
  type WireTapMessage,
} from "../inspect/mod.ts";

/** One tapped message, decoded. */
export interface DecodedMessage extends FormattedValue {
  topic: string;
  /** The sender's timestamp, ns since the epoch (decimal). */
  ts: string;
  /** The whole payload's size in bytes. */
  size: number;
  /** Metadata parameters (wire form). */
  params?: Record<string, unknown>;
}

/** The payload bytes of a tapped message. */
export function tappedBytes(m: WireTapMessage): Uint8Array | null {
  return m.b ? Uint8Array.fromBase64(m.b) : null;
}

/** Decodes a tapped message (values cut short when its payload was). */
export function decodeTapped(
  m: WireTapMessage,
  opts: { maxItems?: number } = {},
): DecodedMessage {
  const v = formatValue(m.d, tappedBytes(m), m.size, opts);
  return {
    ...v,
    topic: m.topic,
    ts: m.ts,
    size: m.size,
    ...(m.p ? { params: m.p as Record<string, unknown> } : {}),
  };
}

/** At most this many lines in a plot. */
export const MAX_SERIES = 8;

/**
 * The numbers of a message for a live plot, by series name: the elements of
 * a numeric array (`[0]`, `[1]`, …), or the numeric fields of a single
 * struct (`x`, `y`), at most {@linkcode MAX_SERIES}. Undefined when the
 * message holds no number.
 */
export function numericSeries(
  values: unknown[] | null,
): Record<string, number> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, number> = {};
  let n = 0;
  if (typeof values[0] === "number" || typeof values[0] === "boolean") {
    for (let i = 0; i < values.length && n < MAX_SERIES; i++) {
      const v = values[i];
      if (typeof v === "number") out[`[${i}]`] = v;
      else if (typeof v === "boolean") out[`[${i}]`] = v ? 1 : 0;
      else continue;
      n++;
    }
  } else if (
    values.length === 1 && values[0] !== null && typeof values[0] === "object"
  ) {
    for (const [k, v] of Object.entries(values[0] as Record<string, unknown>)) {
      if (n >= MAX_SERIES) break;
      if (typeof v === "number") {
        out[k] = v;
        n++;
      }
    }
  }
  return n > 0 ? out : undefined;
}
