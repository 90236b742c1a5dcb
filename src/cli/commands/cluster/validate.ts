/**
 * `dora cluster validate <FILE>`: checks a cluster file (fields, ids,
 * hosts, ports, labels) and reports every problem with its position.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import { loadCluster } from "./_support.ts";

/** `dora cluster validate`. */
export function clusterValidateCommand(): CommandUnknownOpts {
  return new Command("validate")
    .description("check a cluster file without contacting any machine")
    .argument("<FILE>", "cluster file (YAML)")
    .action(async (file: string) => {
      const cluster = await loadCluster(file);
      const n = cluster.machines.length;
      console.log(
        `${cluster.file}: valid (coordinator ${cluster.coordinator.addr}:${cluster.coordinator.port}, ${n} machine${
          n === 1 ? "" : "s"
        }: ${cluster.machines.map((m) => m.id).join(", ")})`,
      );
    });
}
