/**
 * A private place for the inspection tests: its own runtime folder (where
 * `dora run` announces its endpoint, so parallel tests never see each
 * other's runs), state dir and coordinator port, and the pipeline fixture
 * (`sender` → `receiver` at 50 Hz) copied in.
 *
 * @module
 */
import { freePort } from "./cluster.ts";
import { DoraProcess, fixture, runDora, type RunResult } from "./dora.ts";

/** A folder with the inspection fixtures and an environment of its own. */
export class InspectPlace {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly procs: DoraProcess[] = [];

  constructor(dir: string) {
    this.dir = dir;
    this.env = {
      NO_COLOR: "1",
      XDG_RUNTIME_DIR: `${dir}/rt`,
      DORA_STATE_DIR: `${dir}/state`,
      // Nothing listens there: these tests never meet someone's coordinator.
      DORA_COORDINATOR_PORT: String(freePort()),
    };
    Deno.mkdirSync(`${dir}/rt`, { mode: 0o700 });
    for (
      const f of [
        "sender.ts",
        "receiver.ts",
        "pipeline.yml",
        "flood.ts",
        "counter.ts",
        "py_sender.py",
        "py_receiver.py",
      ]
    ) {
      Deno.copyFileSync(fixture(`inspect/${f}`), `${dir}/${f}`);
    }
  }

  /** A new place in a temporary folder. */
  static async create(): Promise<InspectPlace> {
    return new InspectPlace(
      await Deno.makeTempDir({ prefix: "dora-inspect-" }),
    );
  }

  /** Writes a file into the folder and returns its path. */
  write(name: string, text: string): string {
    const path = `${this.dir}/${name}`;
    Deno.writeTextFileSync(path, text);
    return path;
  }

  /** Starts `dora run <file> <args>` and waits until its endpoint is up. */
  async run(file = "pipeline.yml", args: string[] = []): Promise<DoraProcess> {
    const p = new DoraProcess(["run", `${this.dir}/${file}`, ...args], {
      cwd: this.dir,
      env: this.env,
    });
    this.procs.push(p);
    await p.waitForLine(/dataflow \S+ started/);
    // The endpoint is announced right after the start line.
    const deadline = Date.now() + 10_000;
    while (!this.#announced(p)) {
      if (Date.now() > deadline) throw new Error("no endpoint announced");
      await new Promise((r) => setTimeout(r, 20));
    }
    return p;
  }

  #announced(p: DoraProcess): boolean {
    const m = p.lines.map((l) => /dataflow (\S+) started/.exec(l)).find((x) =>
      x
    );
    if (!m) return false;
    try {
      Deno.statSync(`${this.dir}/rt/dora/${m[1]}/inspect.json`);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `dora <args>` here to completion. */
  dora(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return runDora(args, { cwd: this.dir, env: { ...this.env, ...env } });
  }

  /** Runs `dora <args> -f json` and parses its stdout. */
  async json<T = unknown>(args: string[]): Promise<T> {
    const r = await this.dora([...args, "-f", "json"]);
    if (r.code !== 0) {
      throw new Error(
        `dora ${args.join(" ")} failed (${r.code}):\n${r.stderr}`,
      );
    }
    return JSON.parse(r.stdout) as T;
  }

  /** Stops every `dora run` (SIGINT, then SIGKILL) and removes the folder. */
  async cleanup(): Promise<void> {
    for (const p of this.procs) {
      try {
        p.kill("SIGINT");
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      for (const p of this.procs) {
        try {
          p.kill("SIGKILL");
        } catch {
          // gone
        }
      }
    }, 15_000);
    await Promise.all(this.procs.map((p) => p.result()));
    clearTimeout(timer);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Polls `check` until it returns a value (not undefined); fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}
