/**
 * `dora cluster install <FILE>`: on every machine, this dora installed
 * (shipped when needed) and its daemon made a systemd service
 * (`dora-daemon-<id>.service`, enabled and started now, restarted on
 * failure, started at boot). Needs root or passwordless sudo there.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import {
  activateVersion,
  asMachineError,
  ensureDora,
  installUnit,
  type MachineError,
  stopDaemon,
  systemdProblem,
  unitName,
  waitMachineConnected,
} from "../../../cluster/mod.ts";
import { durationOption } from "../../_options.ts";
import { formatTarget } from "../../target.ts";
import { CliError } from "../../errors.ts";
import {
  artifactBuilder,
  clusterTarget,
  clusterToken,
  coordinatorDaemons,
  failureDetails,
  loadCluster,
  progressPrinter,
  tryCoordinator,
} from "./_support.ts";

/** `dora cluster install`. */
export function clusterInstallCommand(): CommandUnknownOpts {
  return new Command("install")
    .description(
      "make each machine's daemon a systemd service (dora-daemon-<id>), shipping dora when needed",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .option(
      "--timeout <DURATION>",
      "how long each daemon may take to connect (when the coordinator runs)",
      "30s",
    )
    .action(async (file: string, opts: { timeout: string }) => {
      const timeoutMs = durationOption("--timeout", opts.timeout)!;
      const cluster = await loadCluster(file);
      const target = clusterTarget(cluster);
      const token = clusterToken();
      const peer = await tryCoordinator(target, token);
      const progress = progressPrinter(cluster);
      const builder = artifactBuilder((line) => console.error(`  ${line}`));
      try {
        const results = await Promise.allSettled(
          cluster.machines.map(async (m) => {
            const ensured = await ensureDora(
              m,
              builder,
              progress,
              (probe) => systemdProblem(m, probe),
            );
            if (!ensured.active) await activateVersion(m, ensured.artifact.id);
            // A daemon from `cluster up` would hold the machine id and port.
            if ((await stopDaemon(m, 20)) !== "none") {
              progress(m.id, "stopped the daemon started by `cluster up`");
            }
            await installUnit(cluster, m, ensured.probe, token);
            progress(m.id, `${unitName(m)} enabled and started`);
            if (peer) {
              const pid = await waitMachineConnected(m, {
                daemons: () => coordinatorDaemons(peer),
                timeoutMs,
              });
              progress(m.id, `daemon (pid ${pid}) connected`);
            }
          }),
        );
        const failures: MachineError[] = results.flatMap((r, i) =>
          r.status === "rejected"
            ? [asMachineError(cluster.machines[i]!, r.reason)]
            : []
        );
        if (failures.length) {
          throw new CliError(
            `installing the daemon service failed on ${failures.length} of ${cluster.machines.length} machine(s): ${
              failures.map((f) => f.machineId).join(", ")
            }`,
            { details: failureDetails(failures) },
          );
        }
        console.log(
          `installed ${cluster.machines.length} daemon service(s)${
            peer
              ? ""
              : `; they connect once the coordinator runs at ${
                formatTarget(target)
              } (\`dora cluster up ${file}\` starts it)`
          }`,
        );
      } finally {
        peer?.close(1000, "done");
      }
    });
}
