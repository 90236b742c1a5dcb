/**
 * `dora cluster up <FILE>`: the coordinator here (started, or the one
 * already running), then on every machine over SSH: this dora installed
 * (shipped when missing or different), its daemon started with the
 * coordinator's token, and registered. A failure stops what was started.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import { BringUpError, bringUpMachines } from "../../../cluster/mod.ts";
import { sshDestination } from "../../../cluster/mod.ts";
import { storeOption } from "../../_options.ts";
import { durationOption } from "../../_options.ts";
import type { Peer } from "../../../control/peer.ts";
import { formatTarget } from "../../target.ts";
import { isAlive, waitGone } from "../../up_state.ts";
import { CliError } from "../../errors.ts";
import {
  artifactBuilder,
  clusterTarget,
  clusterToken,
  coordinatorDaemons,
  failureDetails,
  loadCluster,
  progressPrinter,
  removeClusterState,
  startClusterCoordinator,
  tryCoordinator,
  writeClusterState,
} from "./_support.ts";

/** `dora cluster up`. */
export function clusterUpCommand(): CommandUnknownOpts {
  return new Command("up")
    .description(
      "start the coordinator here and a daemon on every machine over SSH (shipping dora when needed)",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .option(
      "--store <STORE>",
      "store of a coordinator started now: memory | sqlite[:PATH]",
      "memory",
    )
    .option(
      "--timeout <DURATION>",
      "how long each daemon may take to register",
      "30s",
    )
    .action(async (file: string, opts: { store: string; timeout: string }) => {
      const store = storeOption(opts.store);
      const timeoutMs = durationOption("--timeout", opts.timeout)!;
      const cluster = await loadCluster(file);
      const target = clusterTarget(cluster);
      const token = clusterToken();
      let peer = await tryCoordinator(target, token);
      let startedPid: number | undefined;
      if (peer) {
        console.error(`coordinator: using the one at ${formatTarget(target)}`);
      } else {
        const started = await startClusterCoordinator(
          cluster,
          token,
          store,
        );
        peer = started.peer;
        startedPid = started.pid;
        writeClusterState({
          file: cluster.path,
          addr: target.addr,
          port: target.port,
          coordinatorPid: started.pid,
          log: started.log,
        });
        console.error(
          `coordinator: started on ${
            formatTarget(target)
          } (pid ${started.pid}, log ${started.log})`,
        );
      }
      const progress = progressPrinter(cluster);
      try {
        const up = await bringUpMachines(cluster, {
          builder: artifactBuilder((line) => console.error(`  ${line}`)),
          token,
          daemons: () => coordinatorDaemons(peer!),
          timeoutMs,
          progress,
        });
        const width = Math.max(...up.map((u) => u.machine.id.length));
        console.log(
          `cluster is up: coordinator ${
            formatTarget(target)
          }, ${up.length} machine${up.length === 1 ? "" : "s"}`,
        );
        for (const u of up) {
          const how = u.how === "started"
            ? `daemon started (pid ${u.pid})`
            : u.how === "reused"
            ? `daemon reconnected (pid ${u.pid})`
            : `daemon was connected (pid ${u.pid ?? "?"})`;
          console.log(
            `  ${u.machine.id.padEnd(width)}  ${
              sshDestination(u.machine)
            }  ${how}${u.shipped ? ", dora shipped" : ""}${
              u.warning ? `; warning: ${u.warning}` : ""
            }`,
          );
        }
      } catch (err) {
        if (!(err instanceof BringUpError)) throw err;
        const stopped = err.stopped.length
          ? [`  stopped the daemons started on: ${err.stopped.join(", ")}`]
          : [];
        if (startedPid !== undefined) {
          await stopCoordinator(peer, startedPid);
          removeClusterState(target.port);
          stopped.push(`  stopped the coordinator started for the cluster`);
        }
        throw new CliError(err.message, {
          details: [...failureDetails(err.failures), ...stopped],
        });
      } finally {
        peer.close(1000, "done");
      }
    });
}

/** Ends a coordinator this command started (nothing runs on it yet). */
async function stopCoordinator(peer: Peer, pid: number): Promise<void> {
  await peer.call("destroy", { force: true }).catch(() => {});
  if (!(await waitGone([pid], 10_000)) && isAlive(pid)) {
    Deno.kill(pid, "SIGKILL");
    await waitGone([pid], 5000);
  }
}
