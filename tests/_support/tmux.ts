/**
 * A real terminal for TUI tests: a private tmux server (its own socket)
 * running one command in a window of a fixed size; the screen is read with
 * `capture-pane` and keys are sent with `send-keys`.
 *
 * @module
 */

/** One tmux session running a command. */
export class Tmux {
  readonly socket: string;
  #session = "t";

  private constructor(socket: string) {
    this.socket = socket;
  }

  /**
   * Starts `command` (a shell command line) in a `columns`×`rows` terminal
   * with `env`; the pane stays open after the command ends.
   */
  static async start(
    command: string,
    opts: {
      cwd: string;
      env: Record<string, string>;
      columns?: number;
      rows?: number;
    },
  ): Promise<Tmux> {
    const t = new Tmux(`${opts.cwd}/tmux.sock`);
    const env = Object.entries({ TERM: "xterm-256color", ...opts.env })
      .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await t.#tmux([
      "new-session",
      "-d",
      "-s",
      t.#session,
      "-x",
      String(opts.columns ?? 160),
      "-y",
      String(opts.rows ?? 40),
      "-c",
      opts.cwd,
      ...env,
      // Keep the pane (and what the command printed last) after it exits.
      `${command}; echo "[exit $?]"; sleep 600`,
    ]);
    return t;
  }

  async #tmux(args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-S", this.socket, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** The visible screen as text. */
  screen(): Promise<string> {
    return this.#tmux(["capture-pane", "-p", "-t", this.#session]);
  }

  /** Sends keys (tmux key names such as `Down`, `Escape`, or plain text). */
  async keys(...keys: string[]): Promise<void> {
    await this.#tmux(["send-keys", "-t", this.#session, ...keys]);
  }

  /**
   * Resolves with the screen once it matches `re`; rejects with the last
   * screen after `timeoutMs`.
   */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the screen never matched ${re}:\n${last}`);
  }

  /** Ends the session and its server. */
  async close(): Promise<void> {
    await this.#tmux(["kill-server"]).catch(() => {});
    await Deno.remove(this.socket).catch(() => {});
  }
}
