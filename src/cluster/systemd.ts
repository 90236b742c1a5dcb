/**
 * A machine's daemon as a systemd service, `dora-daemon-<id>.service`:
 * restarted on failure after 5 s, started at boot, the coordinator's token
 * in an environment file (mode 0600) instead of the unit.
 *
 * @module
 */
import type { ClusterConfig, MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import type { MachineProbe } from "./probe.ts";
import { daemonFlags } from "./remote_daemon.ts";
import {
  SYSTEMD_INSTALL_SCRIPT,
  SYSTEMD_RESTART_SCRIPT,
  SYSTEMD_UNINSTALL_SCRIPT,
} from "./remote_scripts.ts";
import { runRemote } from "./ssh.ts";

/** `dora-daemon-<id>.service`. */
export function unitName(m: MachineConfig): string {
  return `dora-daemon-${m.id}.service`;
}

/** Absolute paths on the machine that the unit names. */
export interface UnitPaths {
  /** The `dora` to run (`<install_dir>/dora`). */
  dora: string;
  /** The environment file with `DORA_AUTH_TOKEN`. */
  envFile: string;
  /** The user the daemon runs as (omitted for root). */
  user?: string;
  /** Its home (the daemon's working directory and `~/.dora`). */
  home: string;
}

/** The paths of `m`'s unit on a machine that answered `probe`. */
export function unitPaths(m: MachineConfig, probe: MachineProbe): UnitPaths {
  return {
    dora: `${probe.installDir}/dora`,
    envFile: `${probe.home}/.dora/cluster/daemon-${m.id}.env`,
    user: probe.uid === 0 ? undefined : probe.user,
    home: probe.home,
  };
}

/**
 * The unit file of `m`'s daemon.
 *
 * @example
 * ```ts
 * unitFile(cluster, machine, { dora: "/home/pi/.dora/bin/dora", envFile: "/home/pi/.dora/cluster/daemon-pi.env", user: "pi", home: "/home/pi" });
 * ```
 */
export function unitFile(
  cluster: ClusterConfig,
  m: MachineConfig,
  paths: UnitPaths,
): string {
  const args = [
    paths.dora,
    "daemon",
    "--machine-id",
    m.id,
    ...daemonFlags(
      cluster,
      m,
    ),
  ].map(systemdQuote).join(" ");
  return `# Installed by \`dora cluster install\` from ${cluster.file}.
[Unit]
Description=dora daemon of machine ${m.id}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
${paths.user ? `User=${paths.user}\n` : ""}Environment=HOME=${
    systemdQuote(paths.home)
  }
WorkingDirectory=${systemdQuote(paths.home)}
EnvironmentFile=${systemdQuote(paths.envFile)}
ExecStart=${args}
Restart=on-failure
RestartSec=5
# SIGTERM to the daemon only: it stops its nodes with the stop ladder.
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
`;
}

/** Quotes one word of an `ExecStart=` line (or a path setting) for systemd. */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll("%", "%%");
  if (/^[A-Za-z0-9_.,:\/=+@-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** Why systemd cannot be used on a machine, if it cannot. */
export function systemdProblem(
  m: MachineConfig,
  probe: MachineProbe,
): string | undefined {
  if (!probe.systemd) {
    return `machine "${m.id}" does not run systemd (no /run/systemd/system): start its daemon with \`dora cluster up\` instead`;
  }
  if (probe.uid !== 0 && !probe.sudo) {
    return `machine "${m.id}": installing a service needs root; log in as root or install sudo (passwordless for ${probe.user})`;
  }
  return undefined;
}

/**
 * Writes the unit and the token file on `m` and runs
 * `systemctl enable --now` (through `sudo -n` when not root).
 *
 * @throws {MachineError} naming the machine and the failed step.
 */
export async function installUnit(
  cluster: ClusterConfig,
  m: MachineConfig,
  probe: MachineProbe,
  token: string,
): Promise<void> {
  const unit = unitFile(cluster, m, unitPaths(m, probe));
  const r = await runRemote(m, SYSTEMD_INSTALL_SCRIPT, {
    args: [m.installDir, m.id, unitName(m)],
    stdin: `${token}\n${unit}`,
  });
  if (r.code !== 0 || !r.stdout.includes("installed")) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": installing ${unitName(m)} failed: ${
        lastLine(r.stderr) ?? `exit ${r.code}`
      }`,
    );
  }
}

/**
 * Stops, disables and removes the unit of `m` and its token file. Resolves
 * to whether a unit was installed.
 *
 * @throws {MachineError} naming the machine and the failed step.
 */
export async function uninstallUnit(m: MachineConfig): Promise<boolean> {
  const r = await runRemote(m, SYSTEMD_UNINSTALL_SCRIPT, {
    args: [m.installDir, m.id, unitName(m)],
  });
  if (r.code !== 0) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": removing ${unitName(m)} failed: ${
        lastLine(r.stderr) ?? `exit ${r.code}`
      }`,
    );
  }
  return r.stdout.includes("removed");
}

/**
 * Restarts the service of `m` if it is installed; resolves to false when
 * the machine has no such service (its daemon was started by `cluster up`).
 *
 * @throws {MachineError} when `systemctl restart` fails.
 */
export async function restartUnit(m: MachineConfig): Promise<boolean> {
  const r = await runRemote(m, SYSTEMD_RESTART_SCRIPT, {
    args: [m.installDir, m.id, unitName(m)],
  });
  if (r.code !== 0) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": restarting ${unitName(m)} failed: ${
        lastLine(r.stderr) ?? `exit ${r.code}`
      }`,
    );
  }
  return r.stdout.includes("restarted");
}

function lastLine(text: string): string | undefined {
  return text.trim().split("\n").filter((l) => l.trim()).at(-1);
}
