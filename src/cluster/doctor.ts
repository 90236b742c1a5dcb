/**
 * `dora doctor` on a machine of the cluster, over SSH: the installed dora
 * checks that machine (Deno, Python and pyarrow, shared memory, the node
 * API cache) and whether it reaches the cluster's coordinator.
 *
 * @module
 */
import type { ClusterConfig, MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import { DOCTOR_SCRIPT } from "./remote_scripts.ts";
import { runRemote } from "./ssh.ts";

/** One check of `dora doctor --format json`. */
export interface RemoteCheck {
  id: string;
  status: "ok" | "warn" | "fail";
  summary: string;
  details?: string[];
  fix?: string;
}

/** What `dora doctor` found on one machine. */
export interface MachineDoctor {
  machineId: string;
  ok: boolean;
  checks: RemoteCheck[];
}

/**
 * Runs `dora doctor` on `m` against the cluster's coordinator.
 *
 * @throws {SshError} when the machine cannot be reached.
 * @throws {MachineError} when dora is not installed there or its doctor
 * does not answer in JSON.
 */
export async function doctorOnMachine(
  cluster: ClusterConfig,
  m: MachineConfig,
  token: string,
): Promise<MachineDoctor> {
  const r = await runRemote(m, DOCTOR_SCRIPT, {
    args: [
      m.installDir,
      "--coordinator-addr",
      cluster.coordinator.addr,
      "--coordinator-port",
      String(cluster.coordinator.port),
    ],
    stdin: `${token}\n`,
  });
  if (r.code === 7) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": dora is not installed in ${m.installDir} (\`dora cluster up\` or \`install\` ships it)`,
    );
  }
  let report: { ok: boolean; checks: RemoteCheck[] };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new MachineError(
      m.id,
      `machine "${m.id}": dora doctor failed (exit ${r.code}): ${
        r.stderr.trim().split("\n").at(-1) ?? "no output"
      }`,
    );
  }
  return { machineId: m.id, ok: report.ok, checks: report.checks };
}
