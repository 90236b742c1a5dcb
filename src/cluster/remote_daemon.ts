/**
 * A machine's `dora daemon` started over SSH (detached, with its log file),
 * watched until it registered, and stopped again.
 *
 * @module
 */
import type { ClusterConfig, MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import {
  LOG_TAIL_SCRIPT,
  START_SCRIPT,
  STOP_SCRIPT,
  WAIT_GONE_SCRIPT,
} from "./remote_scripts.ts";
import { runRemote, sshArgs, SshError, sshReason } from "./ssh.ts";

/** The daemon's end while it was watched. */
export interface DaemonExit {
  code: number;
  logTail: string[];
}

/** A daemon started (or found running) on a machine. */
export interface StartedDaemon {
  machine: MachineConfig;
  pid: number;
  /** It was already running (an earlier `cluster up`); not started again. */
  reused: boolean;
  /** Resolves if the daemon exits while it is watched. */
  exited: Promise<DaemonExit>;
  /** Stops watching (closes the SSH session); the daemon keeps running. */
  release(): Promise<void>;
}

/**
 * The `dora daemon` flags for `m` (besides `--machine-id`): the
 * coordinator, the data port, the interface it listens on, the labels.
 * A machine reached at a loopback address is this computer: its data port
 * stays on loopback; any other listens on every interface (peers connect
 * with the dataflow's secret).
 */
export function daemonFlags(
  cluster: ClusterConfig,
  m: MachineConfig,
): string[] {
  const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(
    ",",
  );
  const loopback = /^127\./.test(m.host) || m.host === "::1";
  return [
    "--coordinator-addr",
    cluster.coordinator.addr,
    "--coordinator-port",
    String(cluster.coordinator.port),
    "--local-listen-port",
    String(m.daemonPort),
    "--interface",
    loopback ? m.host : "0.0.0.0",
    ...(labels ? ["--labels", labels] : []),
    ...zenohFlags(cluster, m, loopback),
  ];
}

/**
 * With the zenoh transport: the daemon starts its bridge, listening on
 * `zenoh_addr:zenoh_port` and linked to `zenoh_peer` or else to the
 * bridges of the machines listed before it (a mesh without duplicate links).
 */
function zenohFlags(
  cluster: ClusterConfig,
  m: MachineConfig,
  loopback: boolean,
): string[] {
  if (cluster.transport !== "zenoh") return [];
  const listenAddr = m.zenohAddr ?? (loopback ? m.host : "0.0.0.0");
  const before = cluster.machines.slice(
    0,
    cluster.machines.findIndex((x) => x.id === m.id),
  );
  const connect = cluster.zenohPeer
    ? [cluster.zenohPeer]
    : before.map((x) => `tcp/${x.zenohAddr ?? x.host}:${x.zenohPort}`);
  return [
    "--zenoh",
    "--zenoh-listen",
    `tcp/${listenAddr}:${m.zenohPort}`,
    ...(connect.length ? ["--zenoh-connect", connect.join(",")] : []),
  ];
}

/**
 * Starts the daemon of `m` with `flags`, handing it `token` on the SSH
 * channel (never on a command line). Resolves once it runs; keep watching
 * through `exited` until {@link StartedDaemon.release}.
 *
 * @throws {SshError} when the machine cannot be reached.
 * @throws {MachineError} when the daemon cannot be started.
 */
export async function startDaemon(
  m: MachineConfig,
  flags: string[],
  token: string,
): Promise<StartedDaemon> {
  const child = new Deno.Command("ssh", {
    args: sshArgs(m, START_SCRIPT, [m.installDir, m.id, ...flags]),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  await stdin.write(new TextEncoder().encode(`${token}\n`)).catch(() => {});
  let stderr = "";
  const stderrDone = (async () => {
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) stderr += chunk;
  })();
  const lines = readLines(child.stdout);
  const first = await lines.next();
  const close = async () => {
    await stdin.close().catch(() => {});
  };
  if (first.done || !/^(started|running) \d+$/.test(first.value)) {
    await close();
    const status = await child.status;
    await stderrDone;
    if (status.code === 255) throw new SshError(m, sshReason(stderr));
    throw new MachineError(
      m.id,
      `machine "${m.id}": could not start its daemon: ${
        stderr.trim().split("\n").at(-1) || `exit ${status.code}`
      }`,
    );
  }
  const [word, pidText] = first.value.split(" ");
  const exited = (async () => {
    let code: number | undefined;
    const logTail: string[] = [];
    for (let l = await lines.next(); !l.done; l = await lines.next()) {
      const m = /^exited (\d+)$/.exec(l.value);
      if (m) code = Number(m[1]);
      else if (l.value.startsWith("log: ")) logTail.push(l.value.slice(5));
      else if (l.value === "end" && code !== undefined) break;
    }
    if (code === undefined) return new Promise<DaemonExit>(() => {});
    return { code, logTail };
  })();
  return {
    machine: m,
    pid: Number(pidText),
    reused: word === "running",
    exited,
    release: async () => {
      await close();
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 10_000);
      await child.status;
      clearTimeout(timer);
      await stderrDone;
    },
  };
}

/**
 * Stops the daemon of `m` (SIGTERM: it stops its nodes with the stop
 * ladder; SIGKILL after `graceS` seconds). Resolves to what happened.
 *
 * @throws {SshError} when the machine cannot be reached.
 */
export async function stopDaemon(
  m: MachineConfig,
  graceS = 20,
): Promise<"stopped" | "killed" | "none"> {
  const r = await runRemote(m, STOP_SCRIPT, {
    args: [m.installDir, m.id, String(graceS)],
  });
  const word = r.stdout.trim().split(/\s/)[0];
  if (word === "stopped" || word === "killed" || word === "none") return word;
  throw new MachineError(
    m.id,
    `machine "${m.id}": stopping its daemon failed: ${
      r.stderr.trim() || `exit ${r.code}`
    }`,
  );
}

/**
 * Waits up to `seconds` for the daemon of `m` to exit by itself: `none` (no
 * daemon was recorded), `exited`, or `alive` with its pid.
 *
 * @throws {SshError} when the machine cannot be reached.
 */
export async function waitDaemonGone(
  m: MachineConfig,
  seconds: number,
): Promise<{ state: "none" | "exited" } | { state: "alive"; pid: number }> {
  const r = await runRemote(m, WAIT_GONE_SCRIPT, {
    args: [m.installDir, m.id, String(seconds)],
  });
  const out = r.stdout.trim();
  const alive = /^alive (\d+)/.exec(out);
  if (alive) return { state: "alive", pid: Number(alive[1]) };
  return { state: out === "exited" ? "exited" : "none" };
}

/** The last `lines` lines of the daemon log of `m` (empty if unreachable). */
export async function daemonLogTail(
  m: MachineConfig,
  lines = 20,
): Promise<string[]> {
  try {
    const r = await runRemote(m, LOG_TAIL_SCRIPT, {
      args: [m.installDir, m.id, String(lines)],
    });
    return r.stdout.split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

/** Lines of a byte stream, without their line breaks. */
async function* readLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}
