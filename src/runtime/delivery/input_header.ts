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

/** `{"t":"input","id":<id>,` for an input id: the head of forwarded headers. */
export function inputHead(inputId: string): string {
  return `{"t":"input","id":${JSON.stringify(inputId)},`;
}
