/**
 * Zenoh for the end-to-end tests: the bridge program (the prebuilt one in
 * `shared/tools` beside the checkout, else the one `scripts/setup.sh
 * --zenoh` built into `.tools/bin`), and daemons that each start their own
 * bridge on free loopback ports, linked over `tcp/127.0.0.1`.
 *
 * @module
 */
import { ROOT } from "./dora.ts";
import { type Background, freePort, type Sandbox } from "./cluster.ts";

/** Where the tests look for `zenoh-bridge-remote-api`, in order. */
export function bridgeCandidates(): string[] {
  const out: string[] = [];
  const named = Deno.env.get("DORA_ZENOH_BRIDGE");
  if (named) out.push(named);
  out.push(`${ROOT}/../shared/tools/zenoh-bridge-remote-api`);
  try {
    // A worktree's .tools links to the main checkout's: shared/ is beside that.
    const tools = Deno.realPathSync(`${ROOT}/.tools`);
    out.push(`${tools}/../../shared/tools/zenoh-bridge-remote-api`);
  } catch {
    // no .tools
  }
  out.push(`${ROOT}/.tools/bin/zenoh-bridge-remote-api`);
  return out;
}

/**
 * The bridge program the tests run.
 *
 * @throws {Error} none exists: the zenoh tests fail with how to get one
 *   (they never pass without a bridge).
 */
export function zenohBridge(): string {
  for (const c of bridgeCandidates()) {
    try {
      if (Deno.statSync(c).isFile) return Deno.realPathSync(c);
    } catch {
      // not here
    }
  }
  throw new Error(
    `no zenoh-bridge-remote-api for the zenoh tests (looked at ${
      bridgeCandidates().join(", ")
    }): run \`scripts/setup.sh --zenoh\` (cargo install, about 15 minutes) or set DORA_ZENOH_BRIDGE`,
  );
}

/** Ports of one daemon's bridge. */
export interface BridgePorts {
  ws: number;
  zenoh: number;
}

/** Free ports for a bridge. */
export function bridgePorts(): BridgePorts {
  return { ws: freePort(), zenoh: freePort() };
}

/**
 * Starts `dora daemon --zenoh` with its own bridge on `ports`, linked to
 * the bridges at `connect` (zenoh tcp ports), and waits for registration.
 */
export function zenohDaemon(
  sb: Sandbox,
  machine: string,
  ports: BridgePorts,
  connect: number[] = [],
  extra: string[] = [],
): Promise<Background> {
  return sb.daemon(
    [
      "--machine-id",
      machine,
      "--zenoh",
      "--zenoh-endpoint",
      `ws/127.0.0.1:${ports.ws}`,
      "--zenoh-listen",
      `tcp/127.0.0.1:${ports.zenoh}`,
      ...(connect.length
        ? [
          "--zenoh-connect",
          connect.map((p) => `tcp/127.0.0.1:${p}`).join(","),
        ]
        : []),
      ...extra,
    ],
    { DORA_ZENOH_BRIDGE: zenohBridge() },
  );
}

/**
 * The pid of the bridge a `dora daemon --zenoh` runs now, from its log
 * (`started zenoh bridge (pid N)`, `zenoh bridge restarted (pid N)`).
 */
export function bridgePid(daemonLog: string): number {
  const pids = [
    ...daemonLog.matchAll(/zenoh bridge (?:restarted )?\(pid (\d+)\)/g),
  ];
  if (!pids.length) throw new Error(`no bridge pid in:\n${daemonLog}`);
  return Number(pids[pids.length - 1][1]);
}

/**
 * A program outside dora (the Python zenoh peer) whose output lines the
 * test waits for; `close()` kills it if it still runs.
 */
export class OutsideProcess {
  readonly child: Deno.ChildProcess;
  #lines: string[] = [];
  #waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  readonly done: Promise<Deno.CommandStatus>;

  constructor(cmd: string, args: string[]) {
    this.child = new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      let pending = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          this.#line(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      }
      if (pending) this.#line(pending);
    };
    const drained = Promise.all([
      collect(this.child.stdout),
      collect(this.child.stderr),
    ]);
    this.done = this.child.status.then(async (s) => {
      await drained;
      return s;
    });
  }

  /** Every line so far (stdout and stderr). */
  get output(): string {
    return this.#lines.join("\n");
  }

  /** The first line matching `re`; rejects when the program exits first. */
  waitForLine(re: RegExp, timeoutMs = 60_000): Promise<string> {
    const found = this.#lines.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => () =>
        reject(
          new Error(`${why} before a line matched ${re}:\n${this.output}`),
        );
      const timer = setTimeout(fail("timeout"), timeoutMs);
      this.done.then(() => setTimeout(fail("the program exited"), 50));
      this.#waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  #line(line: string): void {
    this.#lines.push(line);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.re.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** Kills the program if it still runs and waits for its end. */
  async close(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.done;
  }
}
