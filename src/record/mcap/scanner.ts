/**
 * Reads the data section of an MCAP file front to back, record by record,
 * without its index: what replay, `recording cat` and `recording info` use.
 * It reads files whose writer was killed (no summary, a truncated last
 * record: the scan ends there and says where) and skips chunks whose CRC,
 * compression or records are damaged (counted).
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { decompressChunk } from "./compression.ts";

/** The 8 bytes every MCAP file starts (and ends) with. */
export const MCAP_MAGIC: readonly number[] = [
  0x89,
  0x4d,
  0x43,
  0x41,
  0x50,
  0x30,
  0x0d,
  0x0a,
];

/** The file does not start with the MCAP magic. */
export class NotMcapError extends Error {
  constructor(readonly path: string) {
    super(
      `${path} is not an MCAP file (it does not start with the MCAP magic)`,
    );
    this.name = "NotMcapError";
  }
}

/** A schema record. */
export interface SchemaRecord {
  type: "schema";
  id: number;
  name: string;
  encoding: string;
  data: Uint8Array;
}
/** A channel record. */
export interface ChannelRecord {
  type: "channel";
  id: number;
  schemaId: number;
  topic: string;
  messageEncoding: string;
  metadata: Map<string, string>;
}
/** A message record; `data` is valid until the next record is read. */
export interface MessageRecord {
  type: "message";
  channelId: number;
  sequence: number;
  logTime: bigint;
  publishTime: bigint;
  data: Uint8Array;
}
/** A metadata record. */
export interface MetadataRecord {
  type: "metadata";
  name: string;
  metadata: Map<string, string>;
}
/** The header record. */
export interface HeaderRecord {
  type: "header";
  profile: string;
  library: string;
}
/** What the scan yields. */
export type ScannedRecord =
  | HeaderRecord
  | SchemaRecord
  | ChannelRecord
  | MessageRecord
  | MetadataRecord;

/** What went wrong while scanning (filled in as the scan goes). */
export interface ScanReport {
  /** The data section ended properly (a DataEnd record was read). */
  complete: boolean;
  /** Byte offset where an incomplete last record starts (a crashed writer). */
  truncatedAt?: number;
  /** Chunks skipped: bad CRC, compression or records inside. */
  corruptChunks: number;
  /** Top-level records that could not be parsed and were skipped. */
  corruptRecords: number;
  /** Why the first damaged chunk or record was skipped. */
  firstProblem?: string;
  /** Bytes of the file. */
  size: number;
}

const OP_HEADER = 0x01;
const OP_SCHEMA = 0x03;
const OP_CHANNEL = 0x04;
const OP_MESSAGE = 0x05;
const OP_CHUNK = 0x06;
const OP_METADATA = 0x0c;
const OP_DATA_END = 0x0f;
const OP_FOOTER = 0x02;
const BLOCK = 16 << 20;
const decoder = new TextDecoder();

class Malformed extends Error {}

/** Little-endian field reader over one record's content. */
class Fields {
  #view: DataView;
  #bytes: Uint8Array;
  at = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  #need(n: number): void {
    if (this.at + n > this.#bytes.length) {
      throw new Malformed("record shorter than its fields");
    }
  }
  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    this.#need(8);
    const v = this.#view.getBigUint64(this.at, true);
    this.at += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const v = this.#bytes.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  string(): string {
    return decoder.decode(this.bytes(this.u32()));
  }
  map(): Map<string, string> {
    const len = this.u32();
    const end = this.at + len;
    const out = new Map<string, string>();
    while (this.at < end) out.set(this.string(), this.string());
    return out;
  }
  rest(): Uint8Array {
    return this.#bytes.subarray(this.at);
  }
}

function parseInner(op: number, content: Uint8Array): ScannedRecord | null {
  const f = new Fields(content);
  switch (op) {
    case OP_HEADER:
      return { type: "header", profile: f.string(), library: f.string() };
    case OP_SCHEMA: {
      const id = f.u16();
      const name = f.string();
      const encoding = f.string();
      const data = f.bytes(f.u32());
      return { type: "schema", id, name, encoding, data };
    }
    case OP_CHANNEL: {
      const id = f.u16();
      const schemaId = f.u16();
      const topic = f.string();
      const messageEncoding = f.string();
      const metadata = f.map();
      return {
        type: "channel",
        id,
        schemaId,
        topic,
        messageEncoding,
        metadata,
      };
    }
    case OP_MESSAGE:
      return {
        type: "message",
        channelId: f.u16(),
        sequence: f.u32(),
        logTime: f.u64(),
        publishTime: f.u64(),
        data: f.rest(),
      };
    case OP_METADATA:
      return { type: "metadata", name: f.string(), metadata: f.map() };
  }
  return null;
}

/** The records inside one chunk (after CRC check and decompression). */
function* chunkRecords(
  content: Uint8Array,
  validateCrc: boolean,
): Generator<ScannedRecord> {
  const f = new Fields(content);
  f.u64(); // message start time
  f.u64(); // message end time
  const size = f.u64();
  const crc = f.u32();
  const compression = f.string();
  const body = f.bytes(Number(f.u64()));
  const records = decompressChunk(compression, body, Number(size));
  if (records.length !== Number(size)) {
    throw new Malformed(
      `chunk decompressed to ${records.length} bytes instead of ${size}`,
    );
  }
  if (validateCrc && crc !== 0 && crc32(records) !== crc) {
    throw new Malformed("chunk CRC mismatch");
  }
  // Parse every record first: a damaged chunk yields nothing.
  const out: ScannedRecord[] = [];
  const view = new DataView(records.buffer, records.byteOffset, records.length);
  let at = 0;
  while (at < records.length) {
    if (at + 9 > records.length) throw new Malformed("chunk ends mid-record");
    const op = records[at]!;
    const len = Number(view.getBigUint64(at + 1, true));
    if (at + 9 + len > records.length) {
      throw new Malformed("chunk record longer than its chunk");
    }
    const r = parseInner(op, records.subarray(at + 9, at + 9 + len));
    if (r) out.push(r);
    at += 9 + len;
  }
  yield* out;
}

/** Options of {@linkcode scanMcap}. */
export interface ScanOptions {
  /** Check chunk CRCs (default true). */
  validateCrc?: boolean;
  /**
   * Reuse the read buffers (faster: no new zeroed memory per block). The
   * data of yielded records is then overwritten later: this is awaited
   * first, and must resolve once nothing refers to it any more.
   */
  beforeReuse?: () => Promise<void>;
}

/**
 * Yields the header, schema, channel, message and metadata records of the
 * data section in file order; `report` is filled in as it goes (final once
 * the iteration ends).
 *
 * @throws {NotMcapError} when the file does not start with the magic.
 */
export async function* scanMcap(
  path: string,
  report: ScanReport,
  options: ScanOptions = {},
): AsyncGenerator<ScannedRecord> {
  const validateCrc = options.validateCrc ?? true;
  using file = await Deno.open(path, { read: true });
  report.size = (await file.stat()).size;
  report.complete = false;
  report.corruptChunks = 0;
  report.corruptRecords = 0;
  let buf: Uint8Array = new Uint8Array(0);
  let start = 0;
  let end = 0;
  let offset = 0; // file offset of buf[start]
  let eof = false;
  // Makes `n` bytes available from `start` (fewer only at the end of file).
  let spare: Uint8Array | null = null;
  const ensure = async (n: number): Promise<boolean> => {
    if (end - start >= n) return true;
    if (eof) return false;
    const size = Math.max(BLOCK, n);
    let next: Uint8Array;
    if (options.beforeReuse && spare && spare.length >= size) {
      await options.beforeReuse();
      next = spare;
    } else next = new Uint8Array(size);
    next.set(buf.subarray(start, end));
    end -= start;
    start = 0;
    if (options.beforeReuse) spare = buf;
    buf = next;
    while (end < buf.length) {
      const got = await file.read(buf.subarray(end));
      if (got === null) {
        eof = true;
        break;
      }
      end += got;
      if (end >= n) break;
    }
    return end - start >= n;
  };
  if (!(await ensure(8)) || MCAP_MAGIC.some((b, i) => buf[start + i] !== b)) {
    throw new NotMcapError(path);
  }
  start += 8;
  offset += 8;
  const problem = (why: string) => {
    report.firstProblem ??= `${why} at byte ${offset}`;
  };
  for (;;) {
    if (!(await ensure(9))) {
      if (end > start) report.truncatedAt = offset;
      else if (!report.complete) report.truncatedAt = offset;
      return;
    }
    const op = buf[start]!;
    const len = Number(
      new DataView(buf.buffer, start + 1, 8).getBigUint64(0, true),
    );
    if (
      op === 0 || !Number.isSafeInteger(len) || offset + 9 + len > report.size
    ) {
      // The length cannot be trusted: nothing after it can be framed.
      report.truncatedAt = offset;
      return;
    }
    if (!(await ensure(9 + len))) {
      report.truncatedAt = offset;
      return;
    }
    const content = buf.subarray(start + 9, start + 9 + len);
    const recordAt = offset;
    start += 9 + len;
    offset += 9 + len;
    if (op === OP_DATA_END || op === OP_FOOTER) {
      report.complete = true;
      return;
    }
    if (op === OP_CHUNK) {
      let records: ScannedRecord[];
      try {
        records = [...chunkRecords(content, validateCrc)];
      } catch (e) {
        report.corruptChunks++;
        report.firstProblem ??= `chunk at byte ${recordAt} skipped: ${
          e instanceof Error ? e.message : String(e)
        }`;
        continue;
      }
      yield* records;
      continue;
    }
    let record: ScannedRecord | null;
    try {
      record = parseInner(op, content);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      report.corruptRecords++;
      problem(`record 0x${op.toString(16)} skipped: ${e.message}`);
      continue;
    }
    if (record) yield record;
  }
}

/** A fresh, empty {@linkcode ScanReport}. */
export function newScanReport(): ScanReport {
  return { complete: false, corruptChunks: 0, corruptRecords: 0, size: 0 };
}
