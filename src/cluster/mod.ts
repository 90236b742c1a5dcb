/**
 * Clusters over SSH: the `cluster.yml` model, the artifact that carries
 * dora to a machine, and what runs there (probe, ship, daemon start/stop,
 * systemd units). The CLI's `dora cluster` commands drive it.
 *
 * @example
 * ```ts
 * import { loadClusterFile } from "./mod.ts";
 * const cluster = await loadClusterFile("cluster.yml");
 * console.log(cluster.machines.map((m) => `${m.id} ${m.host}`));
 * ```
 *
 * @module
 */
export {
  type ClusterConfig,
  DEFAULT_DAEMON_PORT,
  DEFAULT_INSTALL_DIR,
  loadClusterFile,
  type MachineConfig,
  parseClusterFile,
} from "./config.ts";
export { ArtifactError, ClusterFileError, MachineError } from "./errors.ts";
export { type Artifact } from "./artifact.ts";
export {
  ArtifactBuilder,
  type EnsuredDora,
  ensureDora,
  type Progress,
} from "./ensure_dora.ts";
export {
  asMachineError,
  BringUpError,
  bringUpMachines,
  type DaemonView,
  type MachineUp,
  waitMachineConnected,
  waitRegistered,
} from "./bring_up.ts";
export { type MachineProbe, probeMachine, pythonWarning } from "./probe.ts";
export { activateVersion, shipArtifact } from "./ship.ts";
export {
  daemonFlags,
  daemonLogTail,
  startDaemon,
  type StartedDaemon,
  stopDaemon,
  waitDaemonGone,
} from "./remote_daemon.ts";
export {
  installUnit,
  restartUnit,
  systemdProblem,
  uninstallUnit,
  unitFile,
  unitName,
} from "./systemd.ts";
export { sshDestination, SshError } from "./ssh.ts";
export {
  doctorOnMachine,
  type MachineDoctor,
  type RemoteCheck,
} from "./doctor.ts";
