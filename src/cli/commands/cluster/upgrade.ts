/**
 * `dora cluster upgrade <FILE>`: a rolling upgrade. This dora is shipped to
 * every machine first (nothing restarts if a copy fails); then one machine
 * at a time its daemon is restarted on the new version (systemd service or
 * the daemon of `cluster up`) and the next waits until it reconnected. The
 * dataflows that ran before are restarted at the end (same name, new
 * uuid). A daemon that does not come back stops the upgrade.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "commander";
import {
  activateVersion,
  type ArtifactBuilder,
  asMachineError,
  type ClusterConfig,
  daemonFlags,
  type EnsuredDora,
  ensureDora,
  type MachineConfig,
  type MachineError,
  restartUnit,
  startDaemon,
  stopDaemon,
  waitMachineConnected,
  waitRegistered,
} from "../../../cluster/mod.ts";
import { withCoordinator } from "../../coordinator_client.ts";
import { durationOption } from "../../_options.ts";
import type { Peer } from "../../../control/peer.ts";
import { CliError } from "../../errors.ts";
import {
  artifactBuilder,
  clusterTarget,
  clusterToken,
  coordinatorDaemons,
  failureDetails,
  loadCluster,
  progressPrinter,
} from "./_support.ts";

interface Running {
  uuid: string;
  name?: string;
  status: string;
}

/** `dora cluster upgrade`. */
export function clusterUpgradeCommand(): CommandUnknownOpts {
  return new Command("upgrade")
    .description(
      "ship this dora to every machine, then restart the daemons one at a time (rolling)",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .option(
      "--timeout <DURATION>",
      "how long each restarted daemon may take to reconnect",
      "30s",
    )
    .action(async (file: string, opts: { timeout: string }) => {
      const timeoutMs = durationOption("--timeout", opts.timeout)!;
      const cluster = await loadCluster(file);
      const token = clusterToken();
      const progress = progressPrinter(cluster);
      await withCoordinator(clusterTarget(cluster), async (peer) => {
        const { dataflows } = await peer.call<{ dataflows: Running[] }>(
          "list",
        );
        const running = dataflows.filter((d) =>
          d.status === "running" || d.status === "pending"
        );
        const builder = artifactBuilder((line) => console.error(`  ${line}`));
        const ensured = await shipEverywhere(cluster, builder, progress);
        const done: string[] = [];
        for (const m of cluster.machines) {
          try {
            await restartOne(cluster, m, ensured.get(m.id)!, {
              peer,
              token,
              timeoutMs,
              progress,
            });
            done.push(m.id);
          } catch (err) {
            const failure = asMachineError(m, err);
            const rest = cluster.machines.slice(done.length + 1).map((x) =>
              x.id
            );
            throw new CliError(
              `upgrade stopped at machine "${m.id}": its daemon did not come back on the new version`,
              {
                details: [
                  ...failureDetails([failure]),
                  `  upgraded: ${done.join(", ") || "none"}`,
                  `  not upgraded yet: ${rest.join(", ") || "none"}`,
                  ...(running.length
                    ? [
                      `  not restarted: ${
                        running.map((d) => d.name ?? d.uuid).join(", ")
                      } (\`dora cluster restart ${file} NAME\` once the machine is back)`,
                    ]
                    : []),
                ],
              },
            );
          }
        }
        for (const d of running) {
          const r = await peer.call<{ uuid: string; oldUuid: string }>(
            "restart",
            { ref: d.uuid, force: false },
          );
          console.error(
            `dataflow ${
              d.name ? `${d.name} ` : ""
            }restarted: ${r.oldUuid} -> ${r.uuid}`,
          );
        }
        const id = [...ensured.values()][0]?.artifact;
        console.log(
          `upgraded ${cluster.machines.length} machine(s) to dora ${id?.version} (${
            [...new Set([...ensured.values()].map((e) => e.artifact.id))].join(
              ", ",
            )
          })${
            running.length ? `; restarted ${running.length} dataflow(s)` : ""
          }`,
        );
      });
    });
}

/** Ships to every machine in parallel; any failure ends the upgrade before a restart. */
async function shipEverywhere(
  cluster: ClusterConfig,
  builder: ArtifactBuilder,
  progress: (id: string, line: string) => void,
): Promise<Map<string, EnsuredDora>> {
  const results = await Promise.allSettled(
    cluster.machines.map((m) => ensureDora(m, builder, progress)),
  );
  const failures: MachineError[] = results.flatMap((r, i) =>
    r.status === "rejected"
      ? [asMachineError(cluster.machines[i]!, r.reason)]
      : []
  );
  if (failures.length) {
    throw new CliError(
      `upgrade aborted: dora could not be installed on ${
        failures.map((f) => f.machineId).join(", ")
      }; no daemon was restarted`,
      { details: failureDetails(failures) },
    );
  }
  return new Map(
    results.map((r, i) => [
      cluster.machines[i]!.id,
      (r as PromiseFulfilledResult<EnsuredDora>).value,
    ]),
  );
}

/** Switches `m` to the new version and restarts its daemon; resolves once it reconnected. */
async function restartOne(
  cluster: ClusterConfig,
  m: MachineConfig,
  ensured: EnsuredDora,
  ctx: {
    peer: Peer;
    token: string;
    timeoutMs: number;
    progress: (id: string, line: string) => void;
  },
): Promise<void> {
  const daemons = () => coordinatorDaemons(ctx.peer);
  const before = (await daemons()).find((d) =>
    d.machineId === m.id && d.state === "connected"
  );
  await activateVersion(m, ensured.artifact.id);
  if (await restartUnit(m)) {
    ctx.progress(m.id, "systemd service restarted; waiting for it");
    const pid = await waitMachineConnected(m, {
      daemons,
      timeoutMs: ctx.timeoutMs,
      notPid: before?.pid,
    });
    ctx.progress(m.id, `upgraded: daemon (pid ${pid}) reconnected`);
    return;
  }
  await stopDaemon(m, 20);
  const daemon = await startDaemon(m, daemonFlags(cluster, m), ctx.token);
  ctx.progress(m.id, `daemon restarted (pid ${daemon.pid}); waiting for it`);
  try {
    await waitRegistered(m, daemon, { daemons, timeoutMs: ctx.timeoutMs });
  } catch (err) {
    await stopDaemon(m, 5).catch(() => {});
    throw err;
  } finally {
    await daemon.release();
  }
  ctx.progress(m.id, `upgraded: daemon (pid ${daemon.pid}) reconnected`);
}
