/**
 * Starting the real `dora` program in end-to-end tests: write a dataflow
 * into a temporary folder, run `dora` to completion ({@link runDora}) or start
 * it and wait for lines of its output ({@link DoraProcess}), and check that
 * processes are gone.
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";

/** Absolute path of a file under tests/fixtures/. */
export function fixture(path: string): string {
  return new URL(`../fixtures/${path}`, import.meta.url).pathname;
}

/** A temporary folder holding `dataflow.yml` with `yaml` as its content. */
export async function tempDataflow(
  yaml: string,
): Promise<
  { dir: string; path: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const dir = await Deno.makeTempDir({ prefix: "dora-run-test-" });
  const path = `${dir}/dataflow.yml`;
  await Deno.writeTextFile(path, yaml);
  return {
    dir,
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** The output of a finished `dora` process. */
export interface DoraResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** The output of a finished `dora` process (the name some tests use). */
export type RunResult = DoraResult;

/** How to start `dora`: its folder, extra environment, text for its stdin. */
export interface DoraOptions {
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/** The repository root. */
export const ROOT = new URL("../../", import.meta.url).pathname.replace(
  /\/$/,
  "",
);

/** A running `dora` process whose output is captured line by line. */
export class DoraProcess {
  readonly child: Deno.ChildProcess;
  #lines: string[] = [];
  #waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  #stdout = "";
  #stderr = "";
  #done: Promise<DoraResult>;

  constructor(args: string[], options: DoraOptions = {}) {
    const { cmd, args: lead } = doraCommand();
    const child = new Deno.Command(cmd, {
      args: [...lead, ...args],
      cwd: options.cwd,
      env: { NO_COLOR: "1", ...options.env },
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.child = child;
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      writer.write(new TextEncoder().encode(options.stdin))
        .then(() => writer.close())
        .catch(() => {});
    }
    const out = this.#collect(child.stdout, false);
    const err = this.#collect(child.stderr, true);
    this.#done = (async () => {
      const status = await child.status;
      await Promise.all([out, err]);
      return {
        code: status.code,
        signal: status.signal,
        stdout: this.#stdout,
        stderr: this.#stderr,
      };
    })();
  }

  /** Every output line so far (stderr and stdout, as they arrived). */
  get lines(): string[] {
    return [...this.#lines];
  }

  /**
   * Resolves with the first output line matching `re`; rejects (with the
   * output so far) if `dora` exits or `timeoutMs` passes first.
   */
  waitForLine(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const found = this.#lines.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => () =>
        reject(
          new Error(
            `${why} before a line matched ${re}:\n${this.#lines.join("\n")}`,
          ),
        );
      const timer = setTimeout(fail("timeout"), timeoutMs);
      this.#done.then(() => setTimeout(fail("dora exited"), 50));
      this.#waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** Sends a signal to the `dora` process. */
  kill(signal: Deno.Signal): void {
    this.child.kill(signal);
  }

  /** Resolves when the process ended. */
  result(): Promise<DoraResult> {
    return this.#done;
  }

  async #collect(
    stream: ReadableStream<Uint8Array>,
    isErr: boolean,
  ): Promise<void> {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      if (isErr) this.#stderr += chunk;
      else this.#stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        this.#line(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    }
    if (pending) this.#line(pending);
  }

  #line(line: string): void {
    this.#lines.push(line);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.re.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }
}

/** Runs `dora <args>` to completion and captures its output. */
export function runDora(
  args: string[],
  options: DoraOptions = {},
): Promise<DoraResult> {
  return new DoraProcess(args, options).result();
}

/** Whether a process exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Pids of the direct children of `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(e.name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Resolves once none of `pids` exists; rejects after `timeoutMs`. */
export async function waitGone(
  pids: number[],
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processAlive)) {
    if (Date.now() > deadline) {
      throw new Error(
        `processes still alive: ${pids.filter(processAlive).join(", ")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The parsed JSON summary line of a `--log-format json` run. */
export function jsonSummary(stderr: string): {
  success: boolean;
  nodes: {
    id: string;
    outcome: string;
    drops: Record<string, number>;
    exitCode: number | null;
    signal: string | null;
    viaShm?: number;
  }[];
} {
  for (const line of stderr.split("\n")) {
    if (line.startsWith("{") && line.includes('"summary"')) {
      return JSON.parse(line).summary;
    }
  }
  throw new Error(`no summary in:\n${stderr}`);
}
