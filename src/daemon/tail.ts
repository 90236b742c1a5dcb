/**
 * Follows the current log files of some nodes and reports each new record
 * (for `dora logs --follow` and `dora start --attach` through the
 * coordinator). Starts at the end of each file; a file that shrinks or is
 * replaced (rotation) is read again from its start.
 *
 * @module
 */
import { parseStoredRecord } from "../logs/record.ts";
import type { LogRecord } from "../logs/record.ts";

const POLL_MS = 150;

/** Polls `log_<node>.jsonl` files in `dir`. */
export class LogTailer {
  #timer: ReturnType<typeof setInterval>;
  #files = new Map<
    string,
    { offset: number; ino: number | null; rest: string; dec: TextDecoder }
  >();
  #busy = false;

  constructor(
    dir: string,
    nodes: string[],
    onRecord: (record: LogRecord) => void,
  ) {
    for (const n of nodes) {
      const path = `${dir}/log_${n}.jsonl`;
      let offset = 0;
      let ino: number | null = null;
      try {
        const st = Deno.statSync(path);
        offset = st.size;
        ino = st.ino;
      } catch {
        // not created yet: read from the start once it exists
      }
      this.#files.set(path, { offset, ino, rest: "", dec: new TextDecoder() });
    }
    this.#onRecord = onRecord;
    this.#timer = setInterval(() => this.#cycle(), POLL_MS);
  }
  #onRecord: (record: LogRecord) => void;
  #running: Promise<void> = Promise.resolve();

  #cycle(): Promise<void> {
    if (this.#busy) return this.#running;
    this.#busy = true;
    this.#running = (async () => {
      try {
        for (const [path, state] of this.#files) {
          await this.#poll(path, state, this.#onRecord);
        }
      } finally {
        this.#busy = false;
      }
    })();
    return this.#running;
  }

  /** Reads whatever was appended so far (before reporting the end). */
  async flush(): Promise<void> {
    await this.#running;
    await this.#cycle();
  }

  async #poll(
    path: string,
    state: {
      offset: number;
      ino: number | null;
      rest: string;
      dec: TextDecoder;
    },
    onRecord: (record: LogRecord) => void,
  ): Promise<void> {
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(path);
    } catch {
      return;
    }
    if (st.ino !== state.ino || st.size < state.offset) {
      state.offset = 0;
      state.ino = st.ino;
      state.rest = "";
      state.dec = new TextDecoder();
    }
    if (st.size === state.offset) return;
    const file = await Deno.open(path, { read: true });
    try {
      await file.seek(state.offset, Deno.SeekMode.Start);
      const buf = new Uint8Array(st.size - state.offset);
      let got = 0;
      while (got < buf.length) {
        const n = await file.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      state.offset += got;
      const text = state.rest +
        state.dec.decode(buf.subarray(0, got), { stream: true });
      const lines = text.split("\n");
      state.rest = lines.pop() ?? "";
      for (const line of lines) {
        if (!line) continue;
        const r = parseStoredRecord(line);
        if (r) onRecord(r);
      }
    } finally {
      file.close();
    }
  }

  /** Stops polling. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
