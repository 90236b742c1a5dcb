/**
 * Shared pieces of the coordinator/daemon end-to-end tests: a private folder
 * and state dir, free ports, background `dora coordinator` / `dora daemon`
 * processes whose stderr can be awaited, and cleanup of everything started.
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import { runDora, type RunResult } from "./dora.ts";

/**
 * A free TCP port on `host` (bound then released), picked at random below
 * Linux's ephemeral range (32768–60999): a port the kernel hands out for
 * port 0 or an outgoing connection can be taken again by a parallel test
 * between this check and the coordinator's own bind.
 */
export function freePort(host = "127.0.0.1"): number {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      Deno.listen({ hostname: host, port }).close();
      return port;
    } catch {
      // in use: another one
    }
  }
  const l = Deno.listen({ hostname: host, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A background dora process whose stderr is collected. */
export class Background {
  readonly child: Deno.ChildProcess;
  stderr = "";
  #waiters: { re: RegExp; resolve: () => void }[] = [];
  readonly done: Promise<Deno.CommandStatus>;

  constructor(
    args: string[],
    opts: { cwd: string; env: Record<string, string> },
  ) {
    const { cmd, args: lead } = doraCommand();
    this.child = new Deno.Command(cmd, {
      args: [...lead, ...args],
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const collect = async (
      stream: ReadableStream<Uint8Array>,
      into: "stdout" | "stderr",
    ) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this[into] += chunk;
        this.#waiters = this.#waiters.filter((w) => {
          if (w.re.test(this.output)) w.resolve();
          return !w.re.test(this.output);
        });
      }
    };
    const drained = Promise.all([
      collect(this.child.stdout, "stdout"),
      collect(this.child.stderr, "stderr"),
    ]);
    this.done = this.child.status.then(async (s) => {
      await drained;
      return s;
    });
  }

  stdout = "";

  /** stderr followed by stdout (what {@link waitFor} matches). */
  get output(): string {
    return this.stderr + this.stdout;
  }

  /**
   * Resolves once the output matches `re`; rejects if the process exits
   * first, or after `timeoutMs` (a guard so that a broken test fails with the
   * output so far instead of hanging the suite).
   */
  waitFor(re: RegExp, timeoutMs = 60_000): Promise<void> {
    if (re.test(this.output)) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ re, resolve });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no output matched ${re} in ${timeoutMs} ms:\n${this.output}`,
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([
      promise,
      timeout,
      this.done.then((s) => {
        if (!re.test(this.stderr)) {
          throw new Error(
            `process exited (${s.code}) before ${re}:\n${this.stderr}`,
          );
        }
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Sends `signal` and waits for the exit (SIGKILL after 15s). */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, 15_000);
    await this.done;
    clearTimeout(timer);
  }
}

/** A private cluster sandbox: folder, state dir, coordinator port. */
export class Sandbox {
  readonly dir: string;
  readonly port: number;
  readonly env: Record<string, string>;
  readonly procs: Background[] = [];
  /** The runtime folder of its dora processes (`XDG_RUNTIME_DIR`). */
  readonly runtimeDir: string;

  constructor(dir: string, port = freePort()) {
    this.dir = dir;
    this.port = port;
    this.runtimeDir = Deno.makeTempDirSync({ prefix: "d" });
    this.env = {
      NO_COLOR: "1",
      DORA_STATE_DIR: `${dir}/state`,
      DORA_COORDINATOR_PORT: String(port),
      // Its own runtime folder: the inspection commands never see the
      // `dora run`s of other tests. A short path: node sockets live below it
      // (a daemon with a machine id adds `machine-<id>/dora/`), and a Unix
      // socket path has at most 107 bytes.
      XDG_RUNTIME_DIR: this.runtimeDir,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? dir,
    };
  }

  /** Creates a sandbox in a new temporary folder. */
  static async create(): Promise<Sandbox> {
    return new Sandbox(await Deno.makeTempDir({ prefix: "dora-cluster-" }));
  }

  /** Runs `dora <args>` in the sandbox. */
  dora(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return runDora(args, { cwd: this.dir, env: { ...this.env, ...env } });
  }

  /** Starts a background dora process in the sandbox. */
  spawn(args: string[], env: Record<string, string> = {}): Background {
    const p = new Background(args, {
      cwd: this.dir,
      env: { ...this.env, ...env },
    });
    this.procs.push(p);
    return p;
  }

  /** Starts `dora coordinator` and waits until it listens. */
  async coordinator(
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<Background> {
    const p = this.spawn(
      ["coordinator", "--port", String(this.port), ...args],
      env,
    );
    await p.waitFor(/listening on/);
    return p;
  }

  /** Starts `dora daemon` and waits until it registered. */
  async daemon(
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<Background> {
    const p = this.spawn(["daemon", ...args], env);
    await p.waitFor(/registered with the coordinator/);
    return p;
  }

  /** Writes a file into the sandbox folder. */
  write(name: string, text: string): string {
    const path = `${this.dir}/${name}`;
    Deno.writeTextFileSync(path, text);
    return path;
  }

  /** Stops daemons before coordinators, then removes the folder. */
  async cleanup(): Promise<void> {
    const daemons = this.procs.filter((p) => !/listening on/.test(p.stderr));
    const others = this.procs.filter((p) => /listening on/.test(p.stderr));
    await Promise.all(daemons.map((p) => p.stop()));
    await Promise.all(others.map((p) => p.stop()));
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    await Deno.remove(this.runtimeDir, { recursive: true }).catch(() => {});
  }
}

/** Pids of processes whose environment mentions `needle` (leftover nodes). */
export function processesWithEnv(needle: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
      if (env.includes(needle)) out.push(Number(e.name));
    } catch {
      // gone or not ours
    }
  }
  return out;
}

/** A TS node that prints `tick N` per timer tick until Stop. */
export const TICKER_TS = `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT") console.log("tick " + ++n);
  else if (event.type === "STOP") break;
}
console.log("ticker stopped");
`;
