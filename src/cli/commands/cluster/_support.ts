/**
 * What the `dora cluster` subcommands share: loading the cluster file as a
 * CLI error, the coordinator's token, the coordinator of the file, progress
 * lines per machine, and failures printed with their log tails.
 *
 * @module
 */
import {
  ArtifactBuilder,
  type ClusterConfig,
  ClusterFileError,
  type DaemonView,
  loadClusterFile,
  MachineError,
} from "../../../cluster/mod.ts";
import { findToken, newToken } from "../../../control/auth.ts";
import { doraStateDir } from "../../../state_dir.ts";
import {
  connectCoordinator,
  CoordinatorUnreachable,
} from "../../coordinator_client.ts";
import type { Peer } from "../../../control/peer.ts";
import type { CoordinatorTarget } from "../../target.ts";
import { formatDiagnostic } from "../../../descriptor/mod.ts";
import { doraCommand, sourceRoot } from "../../../dora_command.ts";
import { CliError } from "../../errors.ts";
import { DORA_VERSION } from "../../../version.ts";

/** Loads the cluster file; its problems become one CLI error with every position. */
export async function loadCluster(path: string): Promise<ClusterConfig> {
  try {
    return await loadClusterFile(path);
  } catch (err) {
    if (err instanceof ClusterFileError) {
      const lines = err.diagnostics.map(formatDiagnostic);
      if (lines.length === 1) throw new CliError(lines[0]!);
      throw new CliError(err.message, { details: lines });
    }
    throw err;
  }
}

/** The coordinator a cluster file names. */
export function clusterTarget(cluster: ClusterConfig): CoordinatorTarget {
  return { addr: cluster.coordinator.addr, port: cluster.coordinator.port };
}

/**
 * The token of the cluster's coordinator: the one clients already use
 * (`DORA_AUTH_TOKEN`, `./.dora-token`, `<state dir>/token`), else a new one
 * written to `<state dir>/token` (mode 0600) so later commands find it.
 */
export function clusterToken(): string {
  const found = findToken();
  if (found) return found;
  const token = newToken();
  Deno.mkdirSync(doraStateDir(), { recursive: true });
  Deno.writeTextFileSync(`${doraStateDir()}/token`, token + "\n", {
    mode: 0o600,
  });
  return token;
}

/** Connects to the cluster's coordinator, or resolves undefined when nothing answers. */
export async function tryCoordinator(
  target: CoordinatorTarget,
  token?: string,
): Promise<Peer | undefined> {
  try {
    return (await connectCoordinator(target, { timeoutMs: 2000, token })).peer;
  } catch (err) {
    if (err instanceof CoordinatorUnreachable) {
      return undefined;
    }
    throw err;
  }
}

/** The daemons the coordinator knows, as {@link DaemonView}s. */
export async function coordinatorDaemons(peer: Peer): Promise<DaemonView[]> {
  const s = await peer.call<{ daemons: DaemonView[] }>("status");
  return s.daemons;
}

/** Progress lines on stderr: `  pi  copying dora…`, machine ids aligned. */
export function progressPrinter(
  cluster: ClusterConfig,
): (machineId: string, line: string) => void {
  const width = Math.max(...cluster.machines.map((m) => m.id.length));
  return (id, line) => console.error(`  ${id.padEnd(width)}  ${line}`);
}

/**
 * The artifact builder for this dora. Its cache: `DORA_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/dora`, else `~/.cache/dora` (then `cluster/`).
 */
export function artifactBuilder(
  log: (line: string) => void,
): ArtifactBuilder {
  const cache = Deno.env.get("DORA_CACHE_DIR") ??
    `${
      Deno.env.get("XDG_CACHE_HOME") ??
        `${Deno.env.get("HOME") ?? doraStateDir()}/.cache`
    }/dora`;
  const main = Deno.mainModule;
  const bundle = /\/dora\.js$/.test(main) && main.startsWith("file:")
    ? new URL(main).pathname
    : undefined;
  return new ArtifactBuilder({
    sourceRoot: sourceRoot(),
    bundle,
    version: DORA_VERSION,
    cacheDir: `${cache}/cluster`,
    log,
  });
}

/** `error:` details for failed machines: each message and its log tail. */
export function failureDetails(failures: MachineError[]): string[] {
  return failures.flatMap((f) => [
    `  ${f.message}`,
    ...(f.logTail.length
      ? [
        `    last lines of its daemon log (~/.dora/cluster/daemon-${f.machineId}.log):`,
        ...f.logTail.map((l) => `      ${l}`),
      ]
      : []),
  ]);
}

/** What `cluster up` records to find its coordinator again. */
export interface ClusterUpState {
  file: string;
  addr: string;
  port: number;
  coordinatorPid?: number;
  log?: string;
}

function statePath(port: number): string {
  return `${doraStateDir()}/cluster-${port}.json`;
}

/** The record of the cluster whose coordinator uses `port`. */
export function readClusterState(port: number): ClusterUpState | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(statePath(port)));
  } catch {
    return undefined;
  }
}

/** Records the cluster of `state.port`. */
export function writeClusterState(state: ClusterUpState): void {
  Deno.mkdirSync(doraStateDir(), { recursive: true });
  Deno.writeTextFileSync(
    statePath(state.port),
    JSON.stringify(state, null, 2) + "\n",
  );
}

/** Forgets the cluster of `port`. */
export function removeClusterState(port: number): void {
  try {
    Deno.removeSync(statePath(port));
  } catch {
    // already gone
  }
}

/**
 * Starts `dora coordinator` for the cluster in the background (token in its
 * environment, never on its command line) and waits until it answers.
 */
export async function startClusterCoordinator(
  cluster: ClusterConfig,
  token: string,
  store: string,
): Promise<{ peer: Peer; pid: number; log: string }> {
  const target = clusterTarget(cluster);
  const logDir = `${doraStateDir()}/logs`;
  Deno.mkdirSync(logDir, { recursive: true });
  const log = `${logDir}/cluster-coordinator-${target.port}.log`;
  const { cmd, args } = doraCommand();
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'exec "$@" >>"$DORA_UP_LOG" 2>&1',
      "sh",
      cmd,
      ...args,
      "coordinator",
      "--interface",
      target.addr,
      "--port",
      String(target.port),
      "--store",
      store,
      "--auth",
    ],
    env: { DORA_UP_LOG: log, DORA_AUTH_TOKEN: token },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  while (true) {
    const peer = await tryCoordinator(target, token);
    if (peer) return { peer, pid: child.pid, log };
    if (exited) {
      throw new CliError(
        `the coordinator exited during start-up (log: ${log})`,
        { details: tail(log) },
      );
    }
    if (Date.now() > deadline) {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch {
        // gone
      }
      throw new CliError(
        `the coordinator did not answer on ${target.addr}:${target.port} within 20s (log: ${log})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tail(file: string): string[] {
  try {
    return Deno.readTextFileSync(file).trimEnd().split("\n").slice(-5);
  } catch {
    return [];
  }
}
