/**
 * Following a node's log file as it grows (`dora logs --follow`, locally and
 * on daemons): each file stays open and is read from where the last read
 * ended, in bounded chunks, never from the start again. When the writer
 * rotates (`log_<node>.jsonl` becomes `.1` and a new file starts), what was
 * appended to the old file is read to its end through the open descriptor,
 * then the new file from its start: no record is lost or repeated. A
 * multi-byte character or a line split across reads is kept until it is
 * complete.
 *
 * @module
 */
import { parseStoredRecord } from "./record.ts";
import type { LogRecord } from "./record.ts";
import { logFilePath } from "./writer.ts";

/** How often followed files are checked for new data. */
const POLL_MS = 150;
/** Bytes read per call. */
const CHUNK = 256 * 1024;
/** Bytes read per file and poll before other files get their turn. */
const PER_POLL = 8 * 1024 * 1024;
/** A line longer than this without a newline is dropped (a broken file). */
const MAX_LINE = 4 * 1024 * 1024;

/** An open log file and its inode. */
export interface OpenLogFile {
  file: Deno.FsFile;
  ino: number | null;
}

/** A node's log files, all opened at one moment (see {@link snapshotLogFiles}). */
export interface LogFilesSnapshot {
  /** Rotated files, oldest first. */
  rotated: OpenLogFile[];
  /** The current file, when it exists. */
  current?: OpenLogFile;
}

/**
 * Opens every log file of a node (`current`, and `rotated(1)`, `rotated(2)`
 * … while they exist) at one consistent moment: the writer renames files
 * one by one while it rotates, so the names are checked again after the
 * opens and the whole is retried when a file moved meanwhile. An open file
 * stays readable whatever happens to its name later.
 */
export async function snapshotLogFiles(
  current: string,
  rotated: (i: number) => string,
): Promise<LogFilesSnapshot> {
  const open = async (path: string): Promise<OpenLogFile | undefined> => {
    try {
      const file = await Deno.open(path, { read: true });
      return { file, ino: (await file.stat()).ino };
    } catch {
      return undefined;
    }
  };
  const inoOf = (path: string) =>
    Deno.stat(path).then((st) => st.ino, () => undefined);
  let snap: LogFilesSnapshot = { rotated: [] };
  for (let attempt = 0; attempt < 50; attempt++) {
    const byIndex: OpenLogFile[] = [];
    for (let i = 1; i < 10_000; i++) {
      const f = await open(rotated(i));
      if (!f) break;
      byIndex.push(f);
    }
    snap = { rotated: byIndex.slice().reverse(), current: await open(current) };
    // Did anything move while the files were being opened?
    let moved = (await inoOf(rotated(byIndex.length + 1))) !== undefined;
    for (const [i, f] of byIndex.entries()) {
      if (moved) break;
      moved = (await inoOf(rotated(i + 1))) !== f.ino;
    }
    if (!moved && snap.current) {
      moved = (await inoOf(current)) !== snap.current.ino;
    }
    // The last try is taken as it is: better than nothing under a storm of
    // rotations (a writer rotating faster than files can be opened).
    if (!moved || attempt === 49) return snap;
    for (
      const f of [...snap.rotated, ...(snap.current ? [snap.current] : [])]
    ) {
      f.file.close();
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return snap;
}
/** One followed file. */
class Followed {
  readonly path: string;
  /** The path of rotated file `i` (1 = newest). */
  #rotated: (i: number) => string;
  #file?: Deno.FsFile;
  #ino: number | null = null;

  /** The inode of the open file, if any. */
  get ino(): number | null {
    return this.#file ? this.#ino : null;
  }
  #rest = "";
  #decoder = new TextDecoder();
  #buf = new Uint8Array(CHUNK);

  constructor(path: string, rotated: (i: number) => string) {
    this.path = path;
    this.#rotated = rotated;
  }

  /**
   * Opens the current file at its end (`fromStart`: at its start). At once
   * (synchronously): what is written after this call is what gets read.
   */
  open(fromStart: boolean): void {
    try {
      const file = Deno.openSync(this.path, { read: true });
      const st = file.statSync();
      if (!fromStart) file.seekSync(0, Deno.SeekMode.End);
      this.#file = file;
      this.#ino = st.ino;
    } catch {
      // not created yet: read from its start once it exists
    }
  }

  /** The records appended since the last read (at most about PER_POLL bytes). */
  async read(): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    if (!this.#file) {
      this.open(true);
      if (!this.#file) return out;
    }
    const more = await this.#drain(out, PER_POLL);
    if (more) return out; // the rest next time
    // At the end of the open file: was it rotated away?
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(this.path);
    } catch {
      return out; // rotated, the new file not created yet
    }
    if (st.ino !== this.#ino) {
      // The old file is complete: read its last bytes, then the files
      // rotated after it (when several rotations happened since the last
      // poll), then the new current file from its start.
      await this.#drain(out, Infinity);
      const finished = this.#ino;
      this.close();
      const snap = await snapshotLogFiles(this.path, this.#rotated);
      const at = snap.rotated.findIndex((e) => e.ino === finished);
      for (const [i, e] of snap.rotated.entries()) {
        if (at < 0 || i <= at) {
          e.file.close();
          continue;
        }
        this.#restart();
        this.#file = e.file;
        this.#ino = e.ino;
        await this.#drain(out, Infinity);
        this.close();
      }
      this.#restart();
      if (snap.current) {
        this.#file = snap.current.file;
        this.#ino = snap.current.ino;
        await this.#drain(out, PER_POLL);
      }
    }
    return out;
  }

  #restart(): void {
    this.#rest = "";
    this.#decoder = new TextDecoder();
  }

  /** Reads up to `budget` bytes; true when data is left. */
  async #drain(out: LogRecord[], budget: number): Promise<boolean> {
    let used = 0;
    while (used < budget) {
      const n = await this.#file!.read(this.#buf);
      if (n === null || n === 0) return false;
      used += n;
      const text = this.#rest +
        this.#decoder.decode(this.#buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      this.#rest = lines.pop() ?? "";
      if (this.#rest.length > MAX_LINE) this.#rest = "";
      for (const line of lines) {
        if (!line) continue;
        const r = parseStoredRecord(line);
        if (r) out.push(r);
      }
    }
    return true;
  }

  close(): void {
    try {
      this.#file?.close();
    } catch {
      // closed
    }
    this.#file = undefined;
  }
}

/**
 * Follows the current log files of some nodes of a run folder.
 *
 * @example
 * ```ts
 * const tailer = new LogTailer("out/<uuid>", ["camera"]); // at each file's end
 * tailer.follow((r) => console.log(r.msg));
 * // … later
 * tailer.stop();
 * ```
 */
/** The rest of an open file as text. */
export async function readRest(file: Deno.FsFile): Promise<string> {
  const decoder = new TextDecoder();
  const buf = new Uint8Array(CHUNK);
  let text = "";
  for (
    let n = await file.read(buf);
    n !== null && n > 0;
    n = await file.read(buf)
  ) {
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
  return text + decoder.decode();
}

export class LogTailer {
  #files: Followed[];
  #timer?: ReturnType<typeof setInterval>;
  #running: Promise<void> = Promise.resolve();
  #busy = false;
  #stopped = false;
  #onRecord: (record: LogRecord) => void = () => {};

  /**
   * Opens each node's current file now: at its end, or at its start with
   * `fromStart` (to read what it holds first, see {@link read}).
   */
  constructor(
    dir: string,
    nodes: string[],
    opts: { fromStart?: boolean } = {},
  ) {
    this.#files = nodes.map((n) =>
      new Followed(logFilePath(dir, n, 0), (i) => logFilePath(dir, n, i))
    );
    for (const f of this.#files) f.open(opts.fromStart ?? false);
  }

  /** The inodes of the files open now (to skip them when reading rotated files). */
  openInodes(): Set<number> {
    const out = new Set<number>();
    for (const f of this.#files) if (f.ino !== null) out.add(f.ino);
    return out;
  }

  /** Every record appended since the last read, file by file. */
  async read(): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    for (const f of this.#files) {
      if (this.#stopped) break;
      out.push(...await f.read());
    }
    return out;
  }

  /** Polls for new records and hands each to `onRecord` until {@link stop}. */
  follow(onRecord: (record: LogRecord) => void): void {
    this.#onRecord = onRecord;
    if (!this.#stopped) {
      this.#timer ??= setInterval(() => void this.#cycle(), POLL_MS);
    }
  }

  #cycle(): Promise<void> {
    if (this.#busy || this.#stopped) return this.#running;
    this.#busy = true;
    this.#running = (async () => {
      try {
        for (const r of await this.read()) this.#onRecord(r);
      } catch {
        // a file vanished mid-read: the next poll starts over
      } finally {
        this.#busy = false;
      }
    })();
    return this.#running;
  }

  /** Delivers whatever was appended so far (before reporting the end). */
  async flush(): Promise<void> {
    await this.#running;
    await this.#cycle();
  }

  /** Stops polling and closes the files. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#running.finally(() => {
      for (const f of this.#files) f.close();
    });
  }
}
