/**
 * A full-screen terminal session with plain ANSI escape codes: the
 * alternate screen, a hidden cursor, raw-mode stdin decoded into keys, and
 * a restore that runs however the session ends (q, Ctrl-C, SIGTERM, an
 * error).
 *
 * @module
 */
import { writeText } from "../_output.ts";

/** A key the TUIs act on. */
export type Key =
  | "up"
  | "down"
  | "left"
  | "right"
  | "enter"
  | "escape"
  | "ctrl-c"
  | "page-up"
  | "page-down"
  | string;

/** CSI: the start of an ANSI control sequence. */
export const CSI = "\x1b[";

/** `text` in bold / reverse video / dim / a colour, when `on`. */
export const style = {
  bold: (t: string, on = true) => on ? `${CSI}1m${t}${CSI}0m` : t,
  reverse: (t: string, on = true) => on ? `${CSI}7m${t}${CSI}0m` : t,
  dim: (t: string, on = true) => on ? `${CSI}2m${t}${CSI}0m` : t,
  color: (t: string, code: number, on = true) =>
    on ? `${CSI}${code}m${t}${CSI}0m` : t,
};

/** Splits raw stdin bytes into keys. */
export function parseKeys(text: string): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < text.length;) {
    const rest = text.slice(i);
    const seq: [string, Key][] = [
      ["\x1b[A", "up"],
      ["\x1bOA", "up"],
      ["\x1b[B", "down"],
      ["\x1bOB", "down"],
      ["\x1b[C", "right"],
      ["\x1bOC", "right"],
      ["\x1b[D", "left"],
      ["\x1bOD", "left"],
      ["\x1b[5~", "page-up"],
      ["\x1b[6~", "page-down"],
    ];
    const hit = seq.find(([s]) => rest.startsWith(s));
    if (hit) {
      keys.push(hit[1]);
      i += hit[0].length;
      continue;
    }
    const ch = text[i]!;
    if (ch === "\x1b") {
      // An unknown sequence is skipped whole; a lone ESC is the Esc key.
      // deno-lint-ignore no-control-regex
      const m = /^\x1b\[[0-9;?]*[A-Za-z~]/.exec(rest);
      if (m) i += m[0].length;
      else {
        keys.push("escape");
        i++;
      }
      continue;
    }
    if (ch === "\x03") keys.push("ctrl-c");
    else if (ch === "\r" || ch === "\n") keys.push("enter");
    else keys.push(ch);
    i++;
  }
  return keys;
}

/** Whether stdin and stdout are both terminals (a TUI can run). */
export function interactive(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
}

/** The terminal's size, with a fallback when it cannot be read. */
export function terminalSize(): { columns: number; rows: number } {
  try {
    return Deno.consoleSize();
  } catch {
    return { columns: 80, rows: 24 };
  }
}

/**
 * A full-screen session: alternate screen, hidden cursor, raw stdin.
 * {@linkcode Screen.close} restores the terminal (idempotent; also on
 * SIGTERM / SIGHUP and at process exit).
 */
export class Screen {
  #closed = false;
  #onSignal = () => {
    this.close();
    Deno.exit(130);
  };
  #onUnload = () => this.close();
  #reading?: Promise<void>;

  constructor() {
    Deno.stdin.setRaw(true);
    writeText(`${CSI}?1049h${CSI}?25l${CSI}2J`);
    for (const sig of ["SIGTERM", "SIGHUP"] as const) {
      Deno.addSignalListener(sig, this.#onSignal);
    }
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** Replaces the screen with `lines` (cut to the terminal's size). */
  draw(lines: string[]): void {
    const { rows } = terminalSize();
    const shown = lines.slice(0, rows);
    writeText(
      `${CSI}H${shown.map((l) => `${l}${CSI}K`).join("\r\n")}${CSI}J`,
    );
  }

  /**
   * Calls `onKey` for every key until `close()`. Reading stops when the
   * screen closes (the pending read is left to the process's end).
   */
  readKeys(onKey: (key: Key) => void): void {
    if (this.#reading) return;
    this.#reading = (async () => {
      const buf = new Uint8Array(64);
      const decoder = new TextDecoder();
      while (!this.#closed) {
        let n: number | null;
        try {
          n = await Deno.stdin.read(buf);
        } catch {
          return;
        }
        if (n === null) return;
        if (this.#closed) return;
        for (const k of parseKeys(decoder.decode(buf.subarray(0, n)))) {
          onKey(k);
          if (this.#closed) return;
        }
      }
    })();
  }

  /** Restores the terminal. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    writeText(`${CSI}0m${CSI}?25h${CSI}?1049l`);
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // stdin is gone
    }
    for (const sig of ["SIGTERM", "SIGHUP"] as const) {
      Deno.removeSignalListener(sig, this.#onSignal);
    }
    globalThis.removeEventListener("unload", this.#onUnload);
  }
}
