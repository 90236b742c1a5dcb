/**
 * The local `zenoh-bridge-remote-api` (a zenoh peer with the remote-api
 * plugin that zenoh-ts connects to): finding the program, checking its
 * version, and running it under supervision for `dora daemon --zenoh`
 * (restarted when it dies, stopped with the daemon).
 *
 * @module
 */
import { type Endpoint, parseEndpoint } from "./endpoint.ts";
import {
  ZenohBridgeMissingError,
  ZenohUnreachableError,
  ZenohVersionError,
} from "./errors.ts";
import { probe } from "./session.ts";
import { compatibleVersions, ZENOH_TS_VERSION } from "./version.ts";

/** The bridge's program name. */
export const BRIDGE_PROGRAM = "zenoh-bridge-remote-api";

/**
 * Where the bridge program is: `DORA_ZENOH_BRIDGE`, then `<root>/.tools/bin`
 * (where `scripts/setup.sh --zenoh` installs it), then `PATH`.
 *
 * @throws {ZenohBridgeMissingError} none of them has it.
 */
export function findBridge(root: string): string {
  const named = Deno.env.get("DORA_ZENOH_BRIDGE");
  if (named) {
    if (isExecutable(named)) return named;
    throw new ZenohBridgeMissingError([`DORA_ZENOH_BRIDGE="${named}"`]);
  }
  const candidates = [`${root}/.tools/bin/${BRIDGE_PROGRAM}`];
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir) candidates.push(`${dir}/${BRIDGE_PROGRAM}`);
  }
  for (const c of candidates) if (isExecutable(c)) return c;
  return (() => {
    throw new ZenohBridgeMissingError([`${root}/.tools/bin`, "PATH"]);
  })();
}

function isExecutable(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The version a bridge program reports (`--version`), e.g. `1.10.2`. */
export async function bridgeProgramVersion(program: string): Promise<string> {
  const out = await new Deno.Command(program, {
    args: ["--version"],
    stdout: "piped",
    stderr: "piped",
    env: { RUST_LOG: "error" },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /v?(\d+\.\d+\.\d+\S*)\s*$/.exec(text.trim());
  if (!out.success || !m) {
    throw new Error(
      `${program} --version did not print a version (exit ${out.code}): ${text.trim()}`,
    );
  }
  return m[1];
}

/** Settings of a supervised bridge. */
export interface BridgeOptions {
  program: string;
  /** The WebSocket endpoint it serves (`ws/127.0.0.1:PORT`). */
  endpoint: string;
  /** zenoh endpoints it listens on for other bridges (`tcp/IP:PORT`). */
  listen: string[];
  /** Other bridges it connects to. */
  connect: string[];
  log(message: string): void;
}

/** How long a started bridge may take to open its WebSocket port. */
const START_TIMEOUT_MS = 15_000;
/** Longest pause between restarts of a bridge that keeps dying. */
const MAX_BACKOFF_MS = 5000;

/**
 * A bridge process run by this daemon: restarted when it dies (1 s, then
 * up to 5 s between tries), ended with {@link stop}. Its log lines go to
 * the daemon's log, prefixed `zenoh bridge:`.
 */
export class SupervisedBridge {
  readonly opts: BridgeOptions;
  readonly ws: Endpoint;
  #child?: Deno.ChildProcess;
  #stopped = false;
  #tail: string[] = [];

  private constructor(opts: BridgeOptions) {
    this.opts = opts;
    this.ws = parseEndpoint(opts.endpoint, ["ws"]);
    for (const e of [...opts.listen, ...opts.connect]) {
      parseEndpoint(e, ["tcp", "udp", "tls", "quic"], "a zenoh endpoint");
    }
  }

  /**
   * Checks the program's version, starts it and waits for its WebSocket.
   *
   * @throws {ZenohVersionError} it is of another zenoh version than zenoh-ts.
   */
  static async start(opts: BridgeOptions): Promise<SupervisedBridge> {
    const version = await bridgeProgramVersion(opts.program);
    if (!compatibleVersions(ZENOH_TS_VERSION, version)) {
      throw new ZenohVersionError(ZENOH_TS_VERSION, version, opts.program);
    }
    const b = new SupervisedBridge(opts);
    await b.#spawn();
    b.#supervise();
    return b;
  }

  /** Its process id (while running). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async #spawn(): Promise<void> {
    const o = this.opts;
    const args = [
      "--no-multicast-scouting",
      "--ws-port",
      `${
        this.ws.host.includes(":") ? `[${this.ws.host}]` : this.ws.host
      }:${this.ws.port}`,
      ...o.listen.flatMap((l) => ["-l", l]),
      ...o.connect.flatMap((c) => ["-e", c]),
    ];
    // Dies with the daemon even after `kill -9` (where setpriv exists).
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find(isExecutable);
    const child = new Deno.Command(setpriv ?? o.program, {
      args: setpriv ? ["--pdeathsig", "KILL", o.program, ...args] : args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { RUST_LOG: Deno.env.get("DORA_ZENOH_BRIDGE_LOG") ?? "warn" },
    }).spawn();
    this.#child = child;
    this.#tail = [];
    this.#collect(child.stdout);
    this.#collect(child.stderr);
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exited = false;
    child.status.then(() => exited = true);
    while (true) {
      try {
        await probe(this.ws, 1000);
        return;
      } catch {
        // not listening yet
      }
      if (exited || Date.now() > deadline) {
        if (!exited) this.#kill();
        await child.status;
        throw new ZenohUnreachableError(
          this.ws.text,
          `the bridge ${o.program} ${
            exited ? "exited" : "did not open its WebSocket port"
          }${this.#tail.length ? `: ${this.#tail.slice(-3).join(" | ")}` : ""}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    let buf = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          // deno-lint-ignore no-control-regex
          const line = buf.slice(0, nl).replace(/\x1b\[[0-9;]*m/g, "").trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          this.#tail.push(line);
          if (this.#tail.length > 20) this.#tail.shift();
          this.opts.log(`zenoh bridge: ${line}`);
        }
      }
    } catch {
      // closed
    }
  }

  async #supervise(): Promise<void> {
    let backoff = 1000;
    while (!this.#stopped) {
      const status = await this.#child!.status;
      if (this.#stopped) return;
      this.opts.log(
        `zenoh bridge (pid ${this.#child!.pid}) exited with ${
          status.signal ? `signal ${status.signal}` : `code ${status.code}`
        }; restarting it in ${backoff / 1000}s`,
      );
      await new Promise((r) => setTimeout(r, backoff));
      if (this.#stopped) return;
      try {
        await this.#spawn();
        this.opts.log(
          `zenoh bridge restarted (pid ${this.#child!.pid}) at ${this.ws.text}`,
        );
        backoff = 1000;
      } catch (err) {
        this.opts.log(err instanceof Error ? err.message : String(err));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child?.kill(signal);
    } catch {
      // gone
    }
  }

  /** Stops the bridge (SIGTERM, SIGKILL after 3 s) and its supervision. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
    if (!child) return;
    this.#kill();
    const timer = setTimeout(() => this.#kill("SIGKILL"), 3000);
    await child.status;
    clearTimeout(timer);
  }
}
