/**
 * Verbatim forwarding of `output` headers: an `input` header differs from
 * the `output` it forwards only in its first fields (`"t":"input","id":…`
 * instead of `"t":"output","o":…`), so the daemon reuses the rest of the
 * received JSON text instead of serialising the parsed metadata and layout
 * again for every receiver.
 *
 * @module
 */
import type { OutputHeader } from "../../message/mod.ts";

const PREFIX = '{"t":"output","o":"';
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * The text after `{"t":"output","o":"<id>",` of a received `output` header
 * (e.g. `"m":{…},"d":{…}}`), or `undefined` when it cannot be reused as is:
 * the header is not in the compact key order of docs/protocol.md, carries
 * other top-level fields, or anything after `o` could repeat `t` or `o`
 * (the receiver's parser would take the last one). Callers then serialise
 * the parsed header instead.
 */
export function forwardTail(
  text: string,
  h: OutputHeader,
): string | undefined {
  const o = h.o;
  const end = PREFIX.length + o.length;
  if (
    !text.startsWith(PREFIX) || text.charCodeAt(end) !== QUOTE ||
    text.charCodeAt(end + 1) !== COMMA || !text.startsWith(o, PREFIX.length)
  ) return undefined;
  for (const k in h) {
    if (k !== "t" && k !== "o" && k !== "m" && k !== "d" && k !== "shm") {
      return undefined;
    }
  }
  const tail = text.slice(end + 2);
  // Conservative: a "t" or "o" anywhere (even a parameter's name or value).
  if (tail.includes('"t"') || tail.includes('"o"')) return undefined;
  return tail;
}

/**
 * The binary `input` header for input id `inputId` (UTF-8 bytes) that
 * forwards the binary `output` header `output`: the same fields after a new
 * id (see binary_header.ts), without decoding them again.
 */
export function forwardBinary(
  output: Uint8Array,
  inputId: Uint8Array,
): Uint8Array {
  const oldId = output[2] | (output[3] << 8);
  const rest = output.subarray(12 + oldId);
  const out = new Uint8Array(12 + inputId.length + rest.length);
  out[0] = 2; // input
  out[1] = output[1];
  out[2] = inputId.length & 0xff;
  out[3] = inputId.length >> 8;
  out.set(output.subarray(4, 12), 4); // ts
  out.set(inputId, 12);
  out.set(rest, 12 + inputId.length);
  return out;
}

/** `{"t":"input","id":<id>,` for an input id: the head of forwarded headers. */
export function inputHead(inputId: string): string {
  return `{"t":"input","id":${JSON.stringify(inputId)},`;
}
