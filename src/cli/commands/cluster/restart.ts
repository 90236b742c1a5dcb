/**
 * `dora cluster restart <FILE> <NAME>`: stop a running dataflow of the
 * cluster and start it again from the descriptor its coordinator stored.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import { withCoordinator } from "../../coordinator_client.ts";
import { clusterTarget, loadCluster } from "./_support.ts";

/** `dora cluster restart`. */
export function clusterRestartCommand(): CommandUnknownOpts {
  return new Command("restart")
    .description(
      "restart a dataflow of the cluster by name (stop, then start its stored descriptor)",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .argument("<NAME>", "dataflow name (or uuid)")
    .action(async (file: string, name: string) => {
      const cluster = await loadCluster(file);
      const r = await withCoordinator(
        clusterTarget(cluster),
        (peer) =>
          peer.call<{ oldUuid: string; uuid: string; name?: string }>(
            "restart",
            { ref: name, force: false },
          ),
      );
      console.error(
        `restarted ${r.name ? `${r.name}: ` : ""}${r.oldUuid} -> ${r.uuid}`,
      );
      console.log(r.uuid);
    });
}
