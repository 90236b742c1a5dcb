/**
 * Starting, stopping and restarting dataflows for an agent, through the
 * coordinator (the dataflow outlives `dora mcp`), exactly as `dora start`,
 * `dora stop` and `dora restart` do.
 *
 * @module
 */
import { resolve } from "node:path";
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
  /** Descriptor warnings (after a start). */
  warnings?: string[];
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
}

/** Starts, stops and restarts dataflows. */
export class DataflowControl {
  readonly access: DoraAccess;
  /** The folder relative paths are read from. */
  readonly cwd: string;

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
