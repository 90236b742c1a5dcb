/**
 * Unpacking the archives a URL node source may be (`.tar.gz`/`.tgz`, `.tar`,
 * `.zip`) with Deno's own decompression streams, so no `tar`/`unzip` program
 * is needed. Entries that would land outside the target folder are refused.
 *
 * @module
 */

/** An archive that cannot be unpacked; the message says why. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

/** The archive kinds {@link unpackArchive} understands, by file name. */
export function archiveKind(
  name: string,
): "tar.gz" | "tar" | "zip" | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  if (lower.endsWith(".tar")) return "tar";
  if (lower.endsWith(".zip")) return "zip";
  return undefined;
}

/**
 * Unpacks `bytes` (an archive of `kind`) into the folder `into` and returns
 * the relative paths of the regular files written. Executable bits of tar
 * and zip (Unix) entries are kept.
 *
 * @throws {ArchiveError} for a corrupt archive or an entry escaping `into`.
 */
export async function unpackArchive(
  bytes: Uint8Array,
  kind: "tar.gz" | "tar" | "zip",
  into: string,
): Promise<string[]> {
  const entries = kind === "zip"
    ? zipEntries(bytes)
    : tarEntries(kind === "tar.gz" ? await gunzip(bytes) : bytes);
  const files: string[] = [];
  for (const entry of entries) {
    const rel = safeRelative(entry.name);
    if (rel === undefined) continue;
    const target = `${into}/${rel}`;
    if (entry.dir) {
      Deno.mkdirSync(target, { recursive: true });
      continue;
    }
    Deno.mkdirSync(target.slice(0, target.lastIndexOf("/")), {
      recursive: true,
    });
    Deno.writeFileSync(target, await entry.data(), {
      mode: entry.mode & 0o111 ? 0o755 : 0o644,
    });
    files.push(rel);
  }
  return files;
}

interface Entry {
  name: string;
  dir: boolean;
  mode: number;
  data: () => Promise<Uint8Array>;
}

/** `name` without leading `./`; undefined for the root itself. */
function safeRelative(name: string): string | undefined {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) return undefined;
  if (name.startsWith("/") || parts.includes("..")) {
    throw new ArchiveError(
      `archive entry "${name}" points outside the archive's folder`,
    );
  }
  return parts.join("/");
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new ArchiveError(`not a valid gzip file (${(err as Error).message})`);
  }
}

async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const decoder = new TextDecoder();

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(bytes: Uint8Array): number {
  const s = text(bytes).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

/** Entries of a POSIX (ustar/GNU) tar stream. */
function tarEntries(bytes: Uint8Array): Entry[] {
  const out: Entry[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= bytes.length) {
    const header = bytes.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header.subarray(124, 136));
    if (Number.isNaN(size)) {
      throw new ArchiveError(`corrupt tar header at byte ${off}`);
    }
    const type = String.fromCharCode(header[156] || 48);
    const prefix = text(header.subarray(345, 500));
    let name = text(header.subarray(0, 100));
    if (prefix && decoder.decode(header.subarray(257, 262)) === "ustar") {
      name = `${prefix}/${name}`;
    }
    const dataStart = off + 512;
    const data = bytes.subarray(dataStart, dataStart + size);
    if (data.length < size) throw new ArchiveError("truncated tar archive");
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") { // GNU long name for the next entry
      longName = text(data);
      continue;
    }
    if (type === "x") { // pax header: only the long path matters here
      longName = paxPath(text(data)) ?? longName;
      continue;
    }
    if (type === "g") continue;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    const mode = octal(header.subarray(100, 108));
    if (type === "5") out.push({ name, dir: true, mode, data: () => none() });
    else if (type === "0" || type === "\0" || type === "7") {
      const copy = data.slice();
      out.push({ name, dir: false, mode, data: () => Promise.resolve(copy) });
    } // links and devices are skipped: a node source has no use for them
  }
  return out;
}

/** The `path` record of a pax extended header, if any. */
function paxPath(records: string): string | undefined {
  for (const record of records.split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(record);
    if (m) return m[1];
  }
  return undefined;
}

function none(): Promise<Uint8Array> {
  return Promise.resolve(new Uint8Array());
}

/** Entries of a zip file, read through its central directory. */
function zipEntries(bytes: Uint8Array): Entry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError("not a valid zip file");
  const count = view.getUint16(eocd + 10, true);
  let off = view.getUint32(eocd + 16, true);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(off, true) !== 0x02014b50) {
      throw new ArchiveError("corrupt zip central directory");
    }
    const method = view.getUint16(off + 10, true);
    const compressed = view.getUint32(off + 20, true);
    const nameLen = view.getUint16(off + 28, true);
    const extraLen = view.getUint16(off + 30, true);
    const commentLen = view.getUint16(off + 32, true);
    const madeBy = view.getUint16(off + 4, true) >> 8;
    const external = view.getUint32(off + 38, true);
    const local = view.getUint32(off + 42, true);
    const name = decoder.decode(bytes.subarray(off + 46, off + 46 + nameLen));
    off += 46 + nameLen + extraLen + commentLen;
    const mode = madeBy === 3 ? external >>> 16 : 0o644; // 3 = Unix
    if (name.endsWith("/")) {
      out.push({ name, dir: true, mode, data: () => none() });
      continue;
    }
    if (view.getUint32(local, true) !== 0x04034b50) {
      throw new ArchiveError(`corrupt zip entry "${name}"`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) +
      view.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + compressed);
    if (method !== 0 && method !== 8) {
      throw new ArchiveError(
        `zip entry "${name}" uses compression method ${method} (only stored and deflate are supported)`,
      );
    }
    out.push({
      name,
      dir: false,
      mode,
      data: () => method === 0 ? Promise.resolve(raw.slice()) : inflateRaw(raw),
    });
  }
  return out;
}
