/**
 * `dora cluster status <FILE>`: the cluster's coordinator, each machine of
 * the file with its daemon (connected or not, version, pid, labels,
 * dataflows), daemons the file does not name, and the dataflows.
 *
 * @module
 */
import { Command, type CommandUnknownOpts, Option } from "commander";
import type { ClusterConfig } from "../../../cluster/mod.ts";
import { sshDestination } from "../../../cluster/mod.ts";
import { withCoordinator } from "../../coordinator_client.ts";
import { formatAgo, renderTable } from "../../_output.ts";
import { formatTarget } from "../../target.ts";
import { clusterTarget, loadCluster } from "./_support.ts";

interface DaemonStatus {
  daemonId: string;
  machineId?: string;
  labels: Record<string, string>;
  state: string;
  lostReason?: string;
  pid?: number;
  version?: string;
  lastHeartbeatAgoMs: number;
  dataflows: number;
}

interface StatusReply {
  version: string;
  pid: number;
  store: string;
  startedAt: number;
  daemons: DaemonStatus[];
}

interface ListReply {
  dataflows: {
    uuid: string;
    name?: string;
    status: string;
    nodes: number;
    daemons: string[];
  }[];
}

/** The JSON of `dora cluster status --format json`. */
export interface ClusterStatus {
  file: string;
  coordinator: {
    addr: string;
    port: number;
    version: string;
    pid: number;
    store: string;
    startedAt: number;
  };
  machines: {
    id: string;
    ssh: string;
    /** `connected`, `lost` or `missing` (no daemon registered). */
    daemon: string;
    lostReason?: string;
    version?: string;
    pid?: number;
    labels: Record<string, string>;
    dataflows: number;
    lastHeartbeatAgoMs?: number;
  }[];
  /** Daemons connected to the coordinator that the file does not name. */
  otherDaemons: DaemonStatus[];
  dataflows: ListReply["dataflows"];
}

/** Joins what the coordinator knows with the machines of the file. */
export function clusterStatus(
  cluster: ClusterConfig,
  s: StatusReply,
  list: ListReply,
): ClusterStatus {
  const target = clusterTarget(cluster);
  return {
    file: cluster.file,
    coordinator: {
      addr: target.addr,
      port: target.port,
      version: s.version,
      pid: s.pid,
      store: s.store,
      startedAt: s.startedAt,
    },
    machines: cluster.machines.map((m) => {
      const d = s.daemons.find((d) => d.machineId === m.id);
      return {
        id: m.id,
        ssh: sshDestination(m),
        daemon: d?.state ?? "missing",
        lostReason: d?.lostReason,
        version: d?.version,
        pid: d?.pid,
        labels: d?.labels ?? m.labels,
        dataflows: d?.dataflows ?? 0,
        lastHeartbeatAgoMs: d?.lastHeartbeatAgoMs,
      };
    }),
    otherDaemons: s.daemons.filter((d) =>
      !cluster.machines.some((m) => m.id === d.machineId)
    ),
    dataflows: list.dataflows,
  };
}

/** `dora cluster status`. */
export function clusterStatusCommand(): CommandUnknownOpts {
  return new Command("status")
    .description(
      "show the cluster: its coordinator, each machine's daemon, and the dataflows",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .addOption(
      new Option("-f, --format <FORMAT>", "output format").choices(
        ["table", "json"] as const,
      ).default("table" as const),
    )
    .action(async (file: string, opts: { format: "table" | "json" }) => {
      const cluster = await loadCluster(file);
      const target = clusterTarget(cluster);
      const [s, list] = await withCoordinator(
        target,
        (peer) =>
          Promise.all([
            peer.call<StatusReply>("status"),
            peer.call<ListReply>("list"),
          ]),
      );
      const status = clusterStatus(cluster, s, list);
      if (opts.format === "json") {
        console.log(JSON.stringify(status));
        return;
      }
      const c = status.coordinator;
      const running = status.dataflows.filter((d) =>
        !["finished", "failed"].includes(d.status)
      );
      console.log(
        `coordinator: ${
          formatTarget(target)
        }, dora ${c.version}, pid ${c.pid}, up ${
          formatAgo(Date.now() - c.startedAt)
        }, store ${c.store}`,
      );
      const connected = status.machines.filter((m) =>
        m.daemon === "connected"
      ).length;
      console.log(
        `machines:    ${connected} of ${status.machines.length} connected`,
      );
      console.log(`dataflows:   ${running.length} running`);
      console.log();
      console.log(renderTable(
        ["MACHINE", "SSH", "DAEMON", "VERSION", "PID", "DATAFLOWS", "LABELS"],
        [
          ...status.machines.map((m) => [
            m.id,
            m.ssh,
            m.daemon === "lost" ? `lost (${m.lostReason ?? "?"})` : m.daemon,
            m.version ?? "-",
            m.pid === undefined ? "-" : String(m.pid),
            String(m.dataflows),
            labels(m.labels),
          ]),
          ...status.otherDaemons.map((d) => [
            d.machineId ?? d.daemonId,
            "(not in file)",
            d.state,
            d.version ?? "-",
            d.pid === undefined ? "-" : String(d.pid),
            String(d.dataflows),
            labels(d.labels),
          ]),
        ],
      ));
      if (running.length) {
        console.log();
        console.log(renderTable(
          ["DATAFLOW", "NAME", "STATUS", "NODES", "MACHINES"],
          running.map((d) => [
            d.uuid,
            d.name ?? "-",
            d.status,
            String(d.nodes),
            d.daemons.join(","),
          ]),
        ));
      }
    });
}

function labels(l: Record<string, string>): string {
  return Object.entries(l).map(([k, v]) => `${k}=${v}`).join(",") || "-";
}
