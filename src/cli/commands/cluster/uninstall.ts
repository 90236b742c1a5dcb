/**
 * `dora cluster uninstall <FILE>`: stop, disable and remove each machine's
 * `dora-daemon-<id>.service` and its token file (dora itself stays in
 * `install_dir`).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import {
  asMachineError,
  type MachineError,
  uninstallUnit,
  unitName,
} from "../../../cluster/mod.ts";
import { CliError } from "../../errors.ts";
import { failureDetails, loadCluster, progressPrinter } from "./_support.ts";

/** `dora cluster uninstall`. */
export function clusterUninstallCommand(): CommandUnknownOpts {
  return new Command("uninstall")
    .description("stop and remove each machine's daemon service")
    .argument("<FILE>", "cluster file (YAML)")
    .action(async (file: string) => {
      const cluster = await loadCluster(file);
      const progress = progressPrinter(cluster);
      const results = await Promise.allSettled(
        cluster.machines.map(async (m) => {
          const removed = await uninstallUnit(m);
          progress(
            m.id,
            removed
              ? `${unitName(m)} stopped and removed`
              : `no ${unitName(m)} installed`,
          );
        }),
      );
      const failures: MachineError[] = results.flatMap((r, i) =>
        r.status === "rejected"
          ? [asMachineError(cluster.machines[i]!, r.reason)]
          : []
      );
      if (failures.length) {
        throw new CliError(
          `removing the daemon service failed on ${failures.length} of ${cluster.machines.length} machine(s): ${
            failures.map((f) => f.machineId).join(", ")
          }`,
          { details: failureDetails(failures) },
        );
      }
      console.log(`uninstalled the daemon services`);
    });
}
