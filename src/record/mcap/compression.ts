/**
 * Chunk compression of recordings: `none` (the default: every MCAP reader
 * opens it and it costs the robot no CPU), `zstd` (native, through
 * `node:zlib`) and `lz4` (LZ4 frames, pure JavaScript: slower).
 *
 * @module
 */
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import lz4 from "lz4js";

/** The `--compression` choices. */
export const COMPRESSIONS = ["none", "zstd", "lz4"] as const;
/** One `--compression` choice. */
export type Compression = typeof COMPRESSIONS[number];

/** A chunk's compression field is not one this reader can open. */
export class UnsupportedCompressionError extends Error {
  constructor(readonly compression: string) {
    super(`chunk compression "${compression}" is not supported`);
    this.name = "UnsupportedCompressionError";
  }
}

/** The name written in a chunk record (`""` for none). */
export function chunkCompressionName(c: Compression): string {
  return c === "none" ? "" : c;
}

/** Compresses chunk records. */
export function compressChunk(c: Compression, data: Uint8Array): Uint8Array {
  switch (c) {
    case "none":
      return data;
    case "zstd":
      return new Uint8Array(zstdCompressSync(data));
    case "lz4":
      return new Uint8Array(lz4.compress(data));
  }
}

/**
 * Decompresses chunk records written with `compression` (`""`, `zstd` or
 * `lz4`) into `size` bytes.
 *
 * @throws {UnsupportedCompressionError} for any other compression.
 */
export function decompressChunk(
  compression: string,
  data: Uint8Array,
  size: number,
): Uint8Array {
  switch (compression) {
    case "":
      return data;
    case "zstd": {
      const out = zstdDecompressSync(data);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    case "lz4":
      return new Uint8Array(lz4.decompress(data, size));
  }
  throw new UnsupportedCompressionError(compression);
}
