/**
 * Starting, stopping and restarting dataflows for an agent: through the
 * coordinator when one answers (the dataflow outlives `dora mcp`), exactly
 * as `dora start`, `dora stop` and `dora restart` do; else as a `dora run`
 * child of `dora mcp` (its output in a log file under the state dir;
 * stopped when `dora mcp` ends, so nothing is left behind). Such a child is
 * restarted by starting the same command again with its runtime
 * parameters; a `dora run` someone else started is not (its command line
 * and terminal are theirs).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { doraCommand } from "../../dora_command.ts";
import { doraStateDir } from "../../state_dir.ts";
import {
  DescriptorError,
  formatDiagnostic,
  loadDataflow,
} from "../../descriptor/mod.ts";
import type { Peer } from "../../control/peer.ts";
import {
  describeViewed,
  type DoraAccess,
  type ViewedDataflow,
} from "../access.ts";

/** A dataflow started, stopped or restarted, as an agent reads it. */
export interface ControlResult {
  uuid: string;
  name: string | null;
  /** `coordinator`, or where else it runs. */
  where: string;
  status: string;
  error?: string;
  /** Nodes and the daemon each one runs on (after a start). */
  nodes?: Record<string, string>;
  /** The dataflow it replaced (after a restart). */
  replaced?: string;
  /** Descriptor warnings (after a start); parameters not carried (after a restart). */
  warnings?: string[];
  /** Runtime parameters set again on the new run (after a restart of a `dora run`). */
  carriedParams?: number;
  /** The `dora run`'s output file, for a child of `dora mcp`. */
  log?: string;
}

/** A start, stop or restart that could not be done; nothing changed. */
export class ControlError extends Error {
  /** A machine-readable kind for callers. */
  readonly code = "control_failed";
  /** One line per problem (positioned descriptor diagnostics). */
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(details.length ? `${message}\n${details.join("\n")}` : message);
    this.name = "ControlError";
    this.details = details;
  }
}

/** What a start takes besides the descriptor's path. */
export interface StartOptions {
  name?: string;
  env?: Record<string, string>;
  /** Debug inspection: the topic tools can read its messages. */
  debug?: boolean;
}

/** A `dora run` started by `dora mcp`. */
interface Child {
  /** How it was started (a restart starts it the same way). */
  abs: string;
  opts: StartOptions;
  proc: Deno.ChildProcess;
  log: string;
  /** Its last output lines (for errors). */
  lines: string[];
  done: Promise<Deno.CommandStatus>;
}

/** How long a `dora run` child gets to start (builds included). */
const START_MS = 120_000;

/** Starts, stops and restarts dataflows. */
export class DataflowControl {
  readonly access: DoraAccess;
  /** The folder relative paths are read from. */
  readonly cwd: string;
  #children = new Map<number, Child>();

  constructor(access: DoraAccess, cwd: string) {
    this.access = access;
    this.cwd = cwd;
  }

  /** Starts the dataflow at `path` (relative to {@link cwd}). */
  async start(path: string, opts: StartOptions = {}): Promise<ControlResult> {
    const abs = resolve(this.cwd, path);
    try {
      await Deno.stat(abs);
    } catch {
      throw new ControlError(`dataflow file not found: ${abs}`);
    }
    let loaded;
    try {
      loaded = await loadDataflow(abs);
    } catch (err) {
      if (err instanceof DescriptorError) {
        throw new ControlError(
          `${abs} is not a valid dataflow (nothing was started)`,
          err.diagnostics.map(formatDiagnostic),
        );
      }
      throw err;
    }
    if (opts.debug) {
      loaded.dataflow.debug = {
        ...loaded.dataflow.debug,
        publishAllMessages: true,
      };
    }
    const coordinator = await this.access.coordinator();
    if (!coordinator) return (await this.#startRun(abs, opts)).result;
    coordinator.close(1000, "done");
    return await this.#onCoordinator("start it", async (peer) => {
      const r = await peer.call<
        { uuid: string; name?: string; nodeToDaemon: Record<string, string> }
      >("start", {
        descriptor: loaded.dataflow,
        source: loaded.flat,
        name: opts.name,
        env: opts.env ?? {},
      });
      return {
        uuid: r.uuid,
        name: r.name ?? null,
        where: "coordinator",
        status: "running",
        nodes: r.nodeToDaemon,
        ...(loaded.warnings.length
          ? { warnings: loaded.warnings.map(formatDiagnostic) }
          : {}),
      };
    });
  }

  /** Stops `d` (its stop ladder; `force`: kill at once) and waits for the end. */
  async stop(
    d: ViewedDataflow,
    opts: { force?: boolean; graceMs?: number } = {},
  ): Promise<ControlResult> {
    if (d.runPid !== undefined) return await this.#stopRun(d, opts);
    return await this.#onCoordinator(`stop ${describeViewed(d)}`, async (p) => {
      const o = await p.call<
        { uuid: string; name?: string; status: string; error?: string }
      >("stop", {
        ref: d.uuid,
        graceMs: opts.graceMs,
        force: Boolean(opts.force),
      });
      return {
        uuid: o.uuid,
        name: o.name ?? null,
        where: "coordinator",
        status: o.status,
        ...(o.error ? { error: o.error } : {}),
      };
    });
  }

  /** Restarts `d`: stop, then start its graph and parameters as they are now. */
  async restart(d: ViewedDataflow): Promise<ControlResult> {
    if (d.runPid !== undefined) return await this.#restartRun(d);
    return await this.#onCoordinator(
      `restart ${describeViewed(d)}`,
      async (peer) => {
        const r = await peer.call<
          { oldUuid: string; uuid: string; name?: string }
        >("restart", { ref: d.uuid });
        return {
          uuid: r.uuid,
          name: r.name ?? null,
          where: "coordinator",
          status: "running",
          replaced: r.oldUuid,
        };
      },
    );
  }

  /**
   * Restarts a `dora run` child: its runtime parameters are read, it is
   * stopped, the same command starts again (the descriptor as its file is
   * now) and the parameters are set again on the new run.
   */
  async #restartRun(d: ViewedDataflow): Promise<ControlResult> {
    const child = this.#children.get(d.runPid!);
    if (!child) {
      throw new ControlError(
        `dataflow ${
          describeViewed(d)
        } runs under a \`dora run\` (pid ${d.runPid}) that dora mcp did not start, so dora mcp cannot start it again (its command line and terminal belong to whoever started it); nothing was changed. Restart its nodes one by one with restart_node, or stop it with stop_dataflow and start ${
          d.descriptor ?? "its descriptor"
        } with start_dataflow (it then runs under dora mcp)`,
      );
    }
    const params = await this.#runParams(d, child.abs);
    await this.#stopRun(d, {});
    let started;
    try {
      started = await this.#startRun(child.abs, child.opts);
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      throw new ControlError(
        `dataflow ${
          describeViewed(d)
        } was stopped, but starting it again failed: ${
          err.message.split("\n")[0]
        }`,
        err.details,
      );
    }
    const { result, listed } = started;
    const warnings: string[] = [];
    let carried = 0;
    if (params.length > 0 && !listed) {
      warnings.push(
        `the new run announced no endpoint in time: its runtime parameters were not set again`,
      );
    } else if (listed) {
      const peer = await this.access.connect(listed);
      try {
        for (const p of params) {
          try {
            await peer.call("param_set", { ref: listed.uuid, ...p });
            carried++;
          } catch (err) {
            warnings.push(
              `parameter ${p.node}.${p.key} was not set again: ${
                err instanceof Error ? err.message : String(err)
              }`,
            );
          }
        }
      } finally {
        peer.close(1000, "done");
      }
    }
    return {
      ...result,
      replaced: d.uuid,
      carriedParams: carried,
      ...(warnings.length ? { warnings } : {}),
    };
  }

  /** The runtime parameters of a running `dora run`'s nodes (those of `abs`). */
  async #runParams(
    d: ViewedDataflow,
    abs: string,
  ): Promise<{ node: string; key: string; json: string }[]> {
    let nodes: string[];
    try {
      nodes = (await loadDataflow(abs)).dataflow.nodes.map((n) => n.id);
    } catch (err) {
      if (err instanceof DescriptorError) {
        throw new ControlError(
          `${abs} is not a valid dataflow any more, so ${
            describeViewed(d)
          } cannot be started again (nothing was changed)`,
          err.diagnostics.map(formatDiagnostic),
        );
      }
      throw err;
    }
    const out: { node: string; key: string; json: string }[] = [];
    const peer = await this.access.connect(d);
    try {
      for (const node of nodes) {
        try {
          const r = await peer.call<
            { params: { key: string; json: string }[] }
          >("param_list", { ref: d.uuid, node });
          out.push(...r.params.map((p) => ({ node, ...p })));
        } catch {
          // a node the running graph does not have: nothing to carry
        }
      }
    } finally {
      peer.close(1000, "done");
    }
    return out;
  }

  async #startRun(
    abs: string,
    opts: StartOptions,
  ): Promise<{ result: ControlResult; listed?: ViewedDataflow }> {
    const dir = `${doraStateDir()}/mcp`;
    await Deno.mkdir(dir, { recursive: true });
    const stem = abs.slice(abs.lastIndexOf("/") + 1).replace(/\.ya?ml$/i, "");
    const log = `${dir}/${opts.name ?? stem}-${
      new Date().toISOString().replace(/[:.]/g, "-")
    }.log`;
    const { cmd, args } = doraCommand();
    const proc = new Deno.Command(cmd, {
      args: [
        ...args,
        "run",
        abs,
        ...(opts.name ? ["--name", opts.name] : []),
        ...(opts.debug ? ["--debug"] : []),
        ...Object.entries(opts.env ?? {}).flatMap(([k, v]) => [
          "--env",
          `${k}=${v}`,
        ]),
      ],
      cwd: dirname(abs),
      stdin: "null",
      // Never this process's stdout: that is the MCP channel.
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const file = await Deno.open(log, {
      write: true,
      create: true,
      append: true,
    });
    const child: Child = {
      abs,
      opts,
      proc,
      log,
      lines: [],
      done: proc.status,
    };
    this.#children.set(proc.pid, child);
    const started = Promise.withResolvers<string>();
    const encoder = new TextEncoder();
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      let pending = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        await file.write(encoder.encode(chunk)).catch(() => {});
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          child.lines.push(line);
          if (child.lines.length > 50) child.lines.shift();
          const m = /dataflow (\S+) started/.exec(line);
          if (m) started.resolve(m[1]!);
        }
      }
    };
    Promise.all([pump(proc.stdout), pump(proc.stderr)]).finally(() =>
      file.close()
    );
    proc.status.then(() => this.#children.delete(proc.pid));
    const timer = setTimeout(() => started.resolve(""), START_MS);
    const outcome = await Promise.race([
      started.promise.then((uuid) => ({ uuid })),
      proc.status.then(() => ({ uuid: "" })),
    ]).finally(() => clearTimeout(timer));
    if (!outcome.uuid) {
      try {
        proc.kill("SIGKILL");
      } catch {
        // exited already
      }
      await proc.status;
      throw new ControlError(
        `\`dora run ${abs}\` did not start (its output: ${log})`,
        child.lines.slice(-20).map((l) => `  ${l}`),
      );
    }
    // Running; its endpoint is announced a moment later.
    let listed: ViewedDataflow | undefined;
    for (let i = 0; i < 100 && !listed; i++) {
      listed = (await this.access.list()).find((d) => d.uuid === outcome.uuid);
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
    return {
      result: {
        uuid: outcome.uuid,
        name: listed?.name ?? opts.name ?? stem,
        where: `dora run, pid ${proc.pid}`,
        status: "running",
        log,
      },
      listed,
    };
  }

  async #stopRun(
    d: ViewedDataflow,
    opts: { force?: boolean },
  ): Promise<ControlResult> {
    const pid = d.runPid!;
    const child = this.#children.get(pid);
    // `dora run` stops its dataflow on SIGINT; a second one kills it.
    try {
      Deno.kill(pid, "SIGINT");
      if (opts.force) Deno.kill(pid, "SIGINT");
    } catch {
      // ended meanwhile
    }
    let status = "finished";
    let error: string | undefined;
    if (child) {
      const s = await child.done;
      if (!s.success) {
        status = "failed";
        error = child.lines.filter((l) => /^error:/.test(l)).join("; ") ||
          `dora run exited with code ${s.code}`;
      }
    } else {
      while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
    }
    return {
      uuid: d.uuid,
      name: d.name,
      where: d.where,
      status,
      ...(error ? { error } : {}),
      ...(child ? { log: child.log } : {}),
    };
  }

  /** `dora run` children running now. */
  get children(): number {
    return this.#children.size;
  }

  /** Stops every `dora run` child (SIGINT; SIGKILL after `graceMs`). */
  async close(graceMs = 15_000): Promise<void> {
    const all = [...this.#children.values()];
    for (const c of all) {
      try {
        c.proc.kill("SIGINT");
      } catch {
        // exited already
      }
    }
    const timer = setTimeout(() => {
      for (const c of all) {
        try {
          c.proc.kill("SIGKILL");
        } catch {
          // exited already
        }
      }
    }, graceMs);
    await Promise.all(all.map((c) => c.done));
    clearTimeout(timer);
  }

  async #onCoordinator<T>(
    what: string,
    fn: (peer: Peer) => Promise<T>,
  ): Promise<T> {
    const peer = await this.access.coordinator();
    if (!peer) {
      throw new ControlError(
        `no coordinator answers at ${this.access.coordinatorName} to ${what} (start one with \`dora up\`)`,
      );
    }
    try {
      return await fn(peer);
    } finally {
      peer.close(1000, "done");
    }
  }
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
