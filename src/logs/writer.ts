/**
 * Writes a node's log records to `log_<node>.jsonl` and rotates the file once
 * it reaches `maxSize` bytes: `log_<node>.1.jsonl` is the newest rotated file,
 * at most `maxRotated` are kept.
 *
 * @module
 */
import type { LogRecord } from "./record.ts";

/** The path of a node's current (`index` 0) or rotated log file. */
export function logFilePath(dir: string, node: string, index = 0): string {
  return index === 0
    ? `${dir}/log_${node}.jsonl`
    : `${dir}/log_${node}.${index}.jsonl`;
}

/** Appends records to one node's log file, with size-based rotation. */
export class LogFileWriter {
  #dir: string;
  #node: string;
  #maxSize?: number;
  #maxRotated: number;
  #file: Deno.FsFile;
  #bytes: number;
  #encoder = new TextEncoder();
  #closed = false;

  constructor(
    dir: string,
    node: string,
    options: { maxSize?: number; maxRotated?: number } = {},
  ) {
    this.#dir = dir;
    this.#node = node;
    this.#maxSize = options.maxSize;
    this.#maxRotated = Math.max(0, options.maxRotated ?? 5);
    Deno.mkdirSync(dir, { recursive: true });
    this.#file = this.#open();
    this.#bytes = this.#file.statSync().size;
  }

  /** Appends one record as a JSON line (synchronously: ordered, crash-safe). */
  write(record: LogRecord): void {
    // Late lines (e.g. from a process's child after it exited) are dropped.
    if (this.#closed) return;
    const bytes = this.#encoder.encode(JSON.stringify(record) + "\n");
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    this.#bytes += bytes.length;
    if (this.#maxSize !== undefined && this.#bytes >= this.#maxSize) {
      this.#rotate();
    }
  }

  /** Closes the file. */
  close(): void {
    this.#closed = true;
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }

  #open(): Deno.FsFile {
    return Deno.openSync(logFilePath(this.#dir, this.#node), {
      append: true,
      create: true,
    });
  }

  #rotate(): void {
    this.#file.close();
    const path = (i: number) => logFilePath(this.#dir, this.#node, i);
    removeIfExists(path(this.#maxRotated));
    for (let i = this.#maxRotated - 1; i >= 1; i--) {
      try {
        Deno.renameSync(path(i), path(i + 1));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
    if (this.#maxRotated > 0) Deno.renameSync(path(0), path(1));
    else removeIfExists(path(0));
    this.#file = this.#open();
    this.#bytes = 0;
  }
}

function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
