/**
 * `dora cluster`: a cluster of machines described by `cluster.yml`, brought
 * up, inspected, upgraded and taken down over SSH. One file per subcommand.
 *
 * @module
 */
import { Command } from "commander";
import { clusterValidateCommand } from "./validate.ts";
import { clusterUpCommand } from "./up.ts";
import { clusterStatusCommand } from "./status.ts";
import { clusterDownCommand } from "./down.ts";
import { clusterRestartCommand } from "./restart.ts";
import { clusterInstallCommand } from "./install.ts";
import { clusterUninstallCommand } from "./uninstall.ts";
import { clusterUpgradeCommand } from "./upgrade.ts";
import { clusterDoctorCommand } from "./doctor.ts";

/** Registers `dora cluster` and its subcommands. */
export function registerCluster(program: Command): void {
  const cluster = new Command("cluster")
    .description(
      "run daemons on the machines of a cluster.yml over SSH (up, status, down, upgrade, …)",
    );
  for (
    const sub of [
      clusterValidateCommand,
      clusterUpCommand,
      clusterStatusCommand,
      clusterDoctorCommand,
      clusterDownCommand,
      clusterRestartCommand,
      clusterInstallCommand,
      clusterUninstallCommand,
      clusterUpgradeCommand,
    ]
  ) cluster.addCommand(sub());
  program.addCommand(cluster);
}
