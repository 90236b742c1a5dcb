/**
 * `dora cluster down <FILE>`: stop every dataflow and daemon through the
 * coordinator, then the coordinator; then make sure over SSH that no daemon
 * is left on any machine (one that did not exit is stopped).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import {
  type MachineConfig,
  stopDaemon,
  waitDaemonGone,
} from "../../../cluster/mod.ts";
import { formatTarget } from "../../target.ts";
import { isAlive, waitGone } from "../../up_state.ts";
import { CliError } from "../../errors.ts";
import {
  clusterTarget,
  loadCluster,
  progressPrinter,
  readClusterState,
  removeClusterState,
  tryCoordinator,
} from "./_support.ts";

/** `dora cluster down`. */
export function clusterDownCommand(): CommandUnknownOpts {
  return new Command("down")
    .description(
      "stop the cluster's dataflows, daemons (checked over SSH) and coordinator",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .option("-f, --force", "kill nodes at once instead of the stop ladder")
    .action(async (file: string, opts: { force?: boolean }) => {
      const cluster = await loadCluster(file);
      const target = clusterTarget(cluster);
      const peer = await tryCoordinator(target);
      if (peer) {
        await peer.call("destroy", { force: Boolean(opts.force) }).catch(
          (err) => {
            throw new CliError(`stopping the cluster failed: ${err.message}`);
          },
        );
        await peer.closed;
        console.error(
          `coordinator ${formatTarget(target)}: dataflows and daemons stopped`,
        );
      } else {
        console.error(
          `coordinator ${
            formatTarget(target)
          } does not answer; checking the machines`,
        );
      }
      const progress = progressPrinter(cluster);
      const results = await Promise.allSettled(
        cluster.machines.map((m) => sweep(m, progress)),
      );
      const state = readClusterState(target.port);
      const pid = state?.coordinatorPid;
      if (pid !== undefined && isAlive(pid)) {
        if (peer) await waitGone([pid], 10_000);
        if (isAlive(pid)) {
          Deno.kill(pid, "SIGTERM");
          if (!(await waitGone([pid], 10_000))) {
            Deno.kill(pid, "SIGKILL");
            await waitGone([pid], 5000);
          }
        }
      }
      removeClusterState(target.port);
      const failed = results.flatMap((r, i) =>
        r.status === "rejected"
          ? [`  ${cluster.machines[i]!.id}: ${errorText(r.reason)}`]
          : []
      );
      if (failed.length) {
        throw new CliError(
          `could not check ${failed.length} machine(s); a daemon may still run there`,
          { details: failed },
        );
      }
      console.log("cluster is down");
    });
}

/** Waits for the daemon of `m` to have exited; stops it if it did not. */
async function sweep(
  m: MachineConfig,
  progress: (id: string, line: string) => void,
): Promise<void> {
  const found = await waitDaemonGone(m, 20);
  if (found.state !== "alive") {
    progress(
      m.id,
      found.state === "exited" ? "daemon exited" : "no daemon running",
    );
    return;
  }
  const how = await stopDaemon(m, 20);
  progress(
    m.id,
    how === "killed"
      ? `daemon (pid ${found.pid}) did not exit: killed`
      : `daemon (pid ${found.pid}) did not exit: stopped`,
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
