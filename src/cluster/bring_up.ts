/**
 * Bringing every machine of a cluster up, in parallel: this dora installed
 * (shipped when needed), its daemon started over SSH, and registered with
 * the coordinator. When any machine fails, the daemons started on the
 * others are stopped again and the error names every failed machine.
 *
 * @module
 */
import type { ClusterConfig, MachineConfig } from "./config.ts";
import {
  type ArtifactBuilder,
  ensureDora,
  type Progress,
} from "./ensure_dora.ts";
import { MachineError } from "./errors.ts";
import { pythonWarning } from "./probe.ts";
import {
  type DaemonExit,
  daemonFlags,
  daemonLogTail,
  startDaemon,
  type StartedDaemon,
  stopDaemon,
} from "./remote_daemon.ts";
import { activateVersion } from "./ship.ts";

/** A daemon as the coordinator sees it. */
export interface DaemonView {
  machineId?: string;
  state: string;
  pid?: number;
  version?: string;
}

/** Everything {@link bringUpMachines} needs besides the cluster. */
export interface BringUpOptions {
  builder: ArtifactBuilder;
  /** The coordinator's token, handed to each daemon over SSH. */
  token: string;
  /** The coordinator's daemons right now. */
  daemons: () => Promise<DaemonView[]>;
  /** How long a daemon may take to register, from its start. */
  timeoutMs: number;
  progress: Progress;
}

/** One machine that is up. */
export interface MachineUp {
  machine: MachineConfig;
  /** Pid of its daemon on the machine. */
  pid?: number;
  /** `started` now, `reused` (it was running and reconnected), `connected` (left alone). */
  how: "started" | "reused" | "connected";
  shipped: boolean;
  /** What Python nodes would miss there, if anything. */
  warning?: string;
}

/** Some machines did not come up; the others were stopped again. */
export class BringUpError extends Error {
  readonly failures: MachineError[];
  /** Machines whose daemon was stopped again because of the failures. */
  readonly stopped: string[];
  constructor(failures: MachineError[], stopped: string[]) {
    super(
      `${failures.length} of the cluster's machines did not come up: ${
        failures.map((f) => f.machineId).join(", ")
      }`,
    );
    this.name = "BringUpError";
    this.failures = failures;
    this.stopped = stopped;
  }
}

/**
 * Brings up every machine of `cluster` whose daemon is not connected yet.
 *
 * @throws {BringUpError} naming each failed machine, after stopping the
 * daemons it started on the others.
 */
export async function bringUpMachines(
  cluster: ClusterConfig,
  opts: BringUpOptions,
): Promise<MachineUp[]> {
  const known = await opts.daemons();
  const started: StartedDaemon[] = [];
  const results = await Promise.allSettled(
    cluster.machines.map(async (m): Promise<MachineUp> => {
      const live = known.find((d) =>
        d.machineId === m.id && d.state === "connected"
      );
      if (live) {
        opts.progress(
          m.id,
          `daemon already connected (pid ${live.pid ?? "?"}), left as is`,
        );
        return { machine: m, pid: live.pid, how: "connected", shipped: false };
      }
      const ensured = await ensureDora(m, opts.builder, opts.progress);
      const warning = pythonWarning(ensured.probe);
      if (warning) opts.progress(m.id, `warning: ${warning}`);
      if (!ensured.active) await activateVersion(m, ensured.artifact.id);
      const daemon = await startDaemon(
        m,
        daemonFlags(cluster, m),
        opts.token,
      );
      if (!daemon.reused) started.push(daemon);
      opts.progress(
        m.id,
        daemon.reused
          ? `daemon already running (pid ${daemon.pid}); waiting for it to reconnect`
          : `daemon started (pid ${daemon.pid}); waiting for it to register`,
      );
      try {
        await waitRegistered(m, daemon, opts);
      } finally {
        await daemon.release();
      }
      opts.progress(m.id, "registered with the coordinator");
      return {
        machine: m,
        pid: daemon.pid,
        how: daemon.reused ? "reused" : "started",
        shipped: ensured.shipped,
        warning,
      };
    }),
  );
  const failures = results.flatMap((r, i) =>
    r.status === "rejected"
      ? [asMachineError(cluster.machines[i]!, r.reason)]
      : []
  );
  if (failures.length === 0) {
    return results.map((r) => (r as PromiseFulfilledResult<MachineUp>).value);
  }
  const stopped: string[] = [];
  await Promise.all(started.map(async (d) => {
    try {
      if ((await stopDaemon(d.machine, 10)) !== "none") {
        stopped.push(d.machine.id);
      }
    } catch {
      // unreachable now: its failure is reported already or it is gone
    }
  }));
  throw new BringUpError(failures, stopped.sort());
}

/**
 * Waits until the coordinator lists the daemon of `m` as connected (the one
 * just started, by pid), failing early when it exits.
 */
export async function waitRegistered(
  m: MachineConfig,
  daemon: StartedDaemon,
  opts: Pick<BringUpOptions, "daemons" | "timeoutMs">,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let exit: DaemonExit | undefined;
  daemon.exited.then((e) => exit = e);
  while (true) {
    if (exit) {
      throw new MachineError(
        m.id,
        `machine "${m.id}": its daemon exited with status ${exit.code} during start-up`,
        { logTail: exit.logTail },
      );
    }
    const found = (await opts.daemons()).find((d) =>
      d.machineId === m.id && d.state === "connected" &&
      (daemon.reused || d.pid === daemon.pid)
    );
    if (found) return;
    if (Date.now() > deadline) {
      throw new MachineError(
        m.id,
        `machine "${m.id}": its daemon (pid ${daemon.pid}) did not register with the coordinator within ${
          Math.round(opts.timeoutMs / 1000)
        }s (can it reach the coordinator's address?)`,
        { logTail: await daemonLogTail(m) },
      );
    }
    await Promise.race([
      new Promise((r) => setTimeout(r, 200)),
      daemon.exited,
    ]);
  }
}

/**
 * Waits until the coordinator lists a connected daemon of `m` whose pid is
 * not `notPid` (a daemon systemd restarted); resolves to its pid.
 *
 * @throws {MachineError} after `timeoutMs`, with the tail of its log.
 */
export async function waitMachineConnected(
  m: MachineConfig,
  opts: Pick<BringUpOptions, "daemons" | "timeoutMs"> & { notPid?: number },
): Promise<number | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  while (true) {
    const found = (await opts.daemons()).find((d) =>
      d.machineId === m.id && d.state === "connected" &&
      (opts.notPid === undefined || d.pid !== opts.notPid)
    );
    if (found) return found.pid;
    if (Date.now() > deadline) {
      throw new MachineError(
        m.id,
        `machine "${m.id}": its daemon did not connect to the coordinator within ${
          Math.round(opts.timeoutMs / 1000)
        }s`,
        { logTail: await daemonLogTail(m) },
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `err` as a {@link MachineError} of `m` (other errors are wrapped). */
export function asMachineError(
  m: MachineConfig,
  err: unknown,
): MachineError {
  if (err instanceof MachineError) return err;
  return new MachineError(
    m.id,
    `machine "${m.id}": ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}
