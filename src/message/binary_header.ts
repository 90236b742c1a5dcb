/**
 * Binary headers of the message frames (docs/protocol.md, "Binary message
 * headers"): `output` and `input` headers as a few fixed fields instead of
 * JSON, so that a message costs no JSON text on either side. A header whose
 * first byte is `{` is JSON; `0x01` / `0x02` is one of these.
 *
 * ```
 * 0   u8   kind: 1 = output, 2 = input
 * 1   u8   flags: 1 = layout, 2 = shared-memory reference, 4 = parameters
 * 2   u16  id length n        4  u64  ts (HLC, ns)        12  n bytes: id (UTF-8)
 * [params]  u32 k + k bytes: the JSON of `m.p`
 * [layout]  u8 dt code (0xFF: u32 k + k bytes of JSON `d`), u8 buffer count b,
 *           u64 len, u64 nulls, u64 off, b × (u8 present [+ u64 offset + u64 length])
 * [shm]     u16 + name, u64 size, u16 + token
 * ```
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";
import type { ShmRef } from "./header.ts";
import type { DataLayout } from "./layout_types.ts";
import type { WireMetadata } from "./metadata.ts";

/** `kind` of an `output` header. */
export const BINARY_OUTPUT = 1;
/** `kind` of an `input` header. */
export const BINARY_INPUT = 2;

const F_LAYOUT = 1;
const F_SHM = 2;
const F_PARAMS = 4;
const JSON_LAYOUT = 0xff;

/** The simple data types of a flat layout, by their code. */
export const DT_CODES = [
  "null",
  "bool",
  "i8",
  "i16",
  "i32",
  "i64",
  "u8",
  "u16",
  "u32",
  "u64",
  "f16",
  "f32",
  "f64",
  "utf8",
  "large_utf8",
  "binary",
  "large_binary",
  "date32",
  "date64",
] as const;
const CODE_OF = new Map<string, number>(DT_CODES.map((dt, i) => [dt, i]));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Whether header bytes (or their first byte) are a binary header. */
export function isBinaryHeader(first: number): boolean {
  return first === BINARY_OUTPUT || first === BINARY_INPUT;
}

/** A layout with a simple type and no children: written as fixed fields. */
function flat(d: DataLayout): boolean {
  return typeof d.dt === "string" && CODE_OF.has(d.dt) && d.ch.length === 0 &&
    d.bufs.length <= 3;
}

/**
 * The largest number of bytes {@link writeBinaryHeader} may write for these
 * fields (to reserve room before writing).
 */
export function binaryHeaderBound(
  idBytes: Uint8Array,
  m: WireMetadata,
  d: DataLayout | undefined,
  shm: ShmRef | undefined,
): number {
  let n = 12 + idBytes.length;
  if (m.p !== undefined) n += 4 + 3 * JSON.stringify(m.p).length;
  if (d) {
    n += flat(d)
      ? 2 + 24 + 17 * d.bufs.length
      : 5 + 3 * JSON.stringify(d).length;
  }
  if (shm) n += 2 + 3 * shm.name.length + 8 + 2 + 3 * shm.token.length;
  return n;
}

/**
 * Writes a binary `output` / `input` header at `at` of `out` (which must
 * have {@link binaryHeaderBound} bytes of room) and returns its length.
 */
export function writeBinaryHeader(
  out: Uint8Array,
  view: DataView,
  at: number,
  kind: number,
  idBytes: Uint8Array,
  m: WireMetadata,
  d: DataLayout | undefined,
  shm: ShmRef | undefined,
): number {
  let flags = 0;
  if (d) flags |= F_LAYOUT;
  if (shm) flags |= F_SHM;
  if (m.p !== undefined) flags |= F_PARAMS;
  out[at] = kind;
  out[at + 1] = flags;
  view.setUint16(at + 2, idBytes.length, true);
  view.setBigUint64(at + 4, BigInt(m.ts), true);
  out.set(idBytes, at + 12);
  let pos = at + 12 + idBytes.length;
  if (m.p !== undefined) {
    const n = encoder.encodeInto(JSON.stringify(m.p), out.subarray(pos + 4))
      .written;
    view.setUint32(pos, n, true);
    pos += 4 + n;
  }
  if (d) {
    if (flat(d)) {
      out[pos] = CODE_OF.get(d.dt as string)!;
      out[pos + 1] = d.bufs.length;
      view.setBigUint64(pos + 2, BigInt(d.len), true);
      view.setBigUint64(pos + 10, BigInt(d.nulls), true);
      view.setBigUint64(pos + 18, BigInt(d.off), true);
      pos += 26;
      for (const b of d.bufs) {
        if (b === null) {
          out[pos++] = 0;
          continue;
        }
        out[pos] = 1;
        view.setBigUint64(pos + 1, BigInt(b[0]), true);
        view.setBigUint64(pos + 9, BigInt(b[1]), true);
        pos += 17;
      }
    } else {
      out[pos] = JSON_LAYOUT;
      const n = encoder.encodeInto(JSON.stringify(d), out.subarray(pos + 5))
        .written;
      view.setUint32(pos + 1, n, true);
      pos += 5 + n;
    }
  }
  if (shm) {
    const name = encoder.encodeInto(shm.name, out.subarray(pos + 2)).written;
    view.setUint16(pos, name, true);
    pos += 2 + name;
    view.setBigUint64(pos, BigInt(shm.size), true);
    pos += 8;
    const token = encoder.encodeInto(shm.token, out.subarray(pos + 2)).written;
    view.setUint16(pos, token, true);
    pos += 2 + token;
  }
  return pos - at;
}

/** A binary header as bytes of its own (tests, vectors, the daemon's copies). */
export function encodeBinaryHeader(
  kind: number,
  id: string,
  m: WireMetadata,
  d?: DataLayout,
  shm?: ShmRef,
): Uint8Array {
  const idBytes = encoder.encode(id);
  const out = new Uint8Array(binaryHeaderBound(idBytes, m, d, shm));
  const n = writeBinaryHeader(
    out,
    new DataView(out.buffer),
    0,
    kind,
    idBytes,
    m,
    d,
    shm,
  );
  return out.subarray(0, n);
}

function fail(what: string): never {
  throw new ProtocolError(`binary header: ${what}`);
}

function safe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${v} is too large`);
  return Number(v);
}

/**
 * Decodes a binary header into the same object a JSON header of that frame
 * gives (`{t, o | id, m: {ts, p?}, d?, shm?}`). Throws {@link ProtocolError}
 * naming what is wrong.
 */
export function decodeBinaryHeader(
  bytes: Uint8Array,
): Record<string, unknown> {
  if (bytes.length < 12) fail(`${bytes.length} bytes, at least 12 needed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes[0];
  if (kind !== BINARY_OUTPUT && kind !== BINARY_INPUT) {
    fail(`unknown kind ${kind}`);
  }
  const flags = bytes[1];
  if (flags & ~(F_LAYOUT | F_SHM | F_PARAMS)) fail(`unknown flags ${flags}`);
  const idLen = view.getUint16(2, true);
  let pos = 12 + idLen;
  const need = (n: number) => {
    if (pos + n > bytes.length) fail("truncated");
  };
  need(0);
  const id = decoder.decode(bytes.subarray(12, pos));
  const m: WireMetadata = { ts: view.getBigUint64(4, true).toString() };
  if (flags & F_PARAMS) {
    need(4);
    const n = view.getUint32(pos, true);
    pos += 4;
    need(n);
    let p: unknown;
    try {
      p = JSON.parse(decoder.decode(bytes.subarray(pos, pos + n)));
    } catch {
      fail("parameters are not JSON");
    }
    if (typeof p !== "object" || p === null || Array.isArray(p)) {
      fail("parameters are not a JSON object");
    }
    m.p = p as WireMetadata["p"];
    pos += n;
  }
  const header: Record<string, unknown> = kind === BINARY_OUTPUT
    ? { t: "output", o: id, m }
    : { t: "input", id, m };
  if (flags & F_LAYOUT) {
    need(1);
    const code = bytes[pos];
    if (code === JSON_LAYOUT) {
      need(5);
      const n = view.getUint32(pos + 1, true);
      pos += 5;
      need(n);
      try {
        header.d = JSON.parse(decoder.decode(bytes.subarray(pos, pos + n)));
      } catch {
        fail("layout is not JSON");
      }
      pos += n;
    } else {
      need(26);
      const dt = DT_CODES[code];
      if (dt === undefined) fail(`unknown data type code ${code}`);
      const count = bytes[pos + 1];
      if (count > 3) fail(`${count} buffers`);
      const len = safe(view.getBigUint64(pos + 2, true), "len");
      const nulls = safe(view.getBigUint64(pos + 10, true), "nulls");
      const off = safe(view.getBigUint64(pos + 18, true), "off");
      pos += 26;
      const bufs: ([number, number] | null)[] = [];
      for (let i = 0; i < count; i++) {
        need(1);
        if (bytes[pos] === 0) {
          bufs.push(null);
          pos++;
          continue;
        }
        need(17);
        bufs.push([
          safe(view.getBigUint64(pos + 1, true), "buffer offset"),
          safe(view.getBigUint64(pos + 9, true), "buffer length"),
        ]);
        pos += 17;
      }
      header.d = { dt, len, nulls, off, bufs, ch: [] };
    }
  }
  if (flags & F_SHM) {
    need(2);
    const nameLen = view.getUint16(pos, true);
    pos += 2;
    need(nameLen + 8 + 2);
    const name = decoder.decode(bytes.subarray(pos, pos + nameLen));
    pos += nameLen;
    const size = safe(view.getBigUint64(pos, true), "region size");
    pos += 8;
    const tokenLen = view.getUint16(pos, true);
    pos += 2;
    need(tokenLen);
    const token = decoder.decode(bytes.subarray(pos, pos + tokenLen));
    pos += tokenLen;
    header.shm = { name, size, token };
  }
  if (pos !== bytes.length) {
    fail(`${bytes.length - pos} bytes after the fields`);
  }
  return header;
}
