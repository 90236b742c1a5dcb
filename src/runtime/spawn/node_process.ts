/**
 * Supervision of one node process: spawn (own process group, PDEATHSIG
 * wrapper), line capture of stdout/stderr, signals to the whole group, and the
 * single exit-handling point (`onExit`) where a restart decision can be made.
 *
 * @module
 */
import type { SpawnPlan } from "./spawn_plan.ts";
import { parsePermissionViolation } from "./permissions.ts";
import type { PermissionViolation } from "./permissions.ts";
import { inheritedEnv } from "./node_env.ts";
import { treeWatchdog } from "./tree_watchdog.ts";

/** How a node process ended. */
export interface NodeExitStatus {
  /** Exit code, or `null` when killed by a signal. */
  code: number | null;
  signal: Deno.Signal | null;
  success: boolean;
}

/** Callbacks of a {@linkcode NodeProcess}. */
export interface NodeProcessHooks {
  /** One captured output line (without its newline). */
  onLine(stream: "stdout" | "stderr", line: string): void;
  /** The process ended and its output was drained. */
  onExit(status: NodeExitStatus): void;
}

const MAX_LINE = 256 * 1024;
const STDERR_TAIL = 10;

/** One running node process. */
export class NodeProcess {
  readonly nodeId: string;
  #child?: Deno.ChildProcess;
  #hooks: NodeProcessHooks;
  #stderrTail: string[] = [];
  #violation?: PermissionViolation;
  #exited = false;
  /** Resolves with the exit status. */
  readonly exited: Promise<NodeExitStatus>;
  #resolveExit!: (s: NodeExitStatus) => void;

  constructor(nodeId: string, hooks: NodeProcessHooks) {
    this.nodeId = nodeId;
    this.#hooks = hooks;
    this.exited = new Promise((r) => (this.#resolveExit = r));
  }

  /** The process id (also its process group id), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Whether the process has ended. */
  get hasExited(): boolean {
    return this.#exited;
  }

  /** The last lines the node wrote to stderr. */
  get stderrTail(): string[] {
    return [...this.#stderrTail];
  }

  /** A Deno permission violation seen on stderr, if any. */
  get violation(): PermissionViolation | undefined {
    return this.#violation;
  }

  /**
   * Spawns the process in its own session/process group (so a terminal's
   * Ctrl-C does not reach it) with stdin closed, and only the machine basics
   * of this process's environment (see node_env.ts) under the plan's.
   *
   * @throws {Error} when the executable cannot be started.
   */
  start(plan: SpawnPlan, extraEnv: Record<string, string>): void {
    this.#child = new Deno.Command(plan.cmd, {
      args: plan.args,
      cwd: plan.cwd,
      env: { ...inheritedEnv(), ...plan.env, ...extraEnv },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const pgid = this.#child.pid;
    // The whole group dies with this process, however it ends.
    treeWatchdog().watchGroup(pgid);
    const out = this.#pump(this.#child.stdout, "stdout");
    const err = this.#pump(this.#child.stderr, "stderr");
    this.#child.status.then(async (s) => {
      // What the node left running in its group (a wrapper's child, a
      // helper it started) ends with it, at once: the group id is free
      // for reuse once the group is empty.
      try {
        Deno.kill(-pgid, "SIGKILL");
      } catch {
        // the group is empty
      }
      treeWatchdog().forgetGroup(pgid);
      // A grandchild may hold the pipes open: don't wait for it forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([out, err]),
        new Promise((r) => (timer = setTimeout(r, 500))),
      ]);
      clearTimeout(timer);
      this.#exited = true;
      const status = {
        code: s.signal ? null : s.code,
        signal: s.signal,
        success: s.success,
      };
      this.#hooks.onExit(status);
      this.#resolveExit(status);
    });
  }

  /** Sends `signal` to the node's whole process group. */
  kill(signal: Deno.Signal): void {
    if (!this.#child || this.#exited) return;
    try {
      Deno.kill(-this.#child.pid, signal);
    } catch {
      try {
        this.#child.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  async #pump(
    stream: ReadableStream<Uint8Array>,
    name: "stdout" | "stderr",
  ): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    const emit = (line: string) => {
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (name === "stderr") {
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > STDERR_TAIL) this.#stderrTail.shift();
        this.#violation ??= parsePermissionViolation(line);
      }
      this.#hooks.onLine(name, line);
    };
    try {
      for await (const chunk of stream) {
        pending += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          emit(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
        if (pending.length > MAX_LINE) {
          emit(pending);
          pending = "";
        }
      }
    } catch {
      // The pipe broke: the process is gone.
    }
    pending += decoder.decode();
    if (pending !== "") emit(pending);
  }
}
