/**
 * The cluster as the coordinator reports it: is it reachable and of the same
 * version, which daemons are connected (and their versions), and how the
 * running dataflows are doing. The facts come from the CLI's coordinator
 * client through {@link ClusterFacts}; this file only judges them.
 *
 * @module
 */
import { type CheckResult, result } from "./check.ts";

/** What the coordinator says, gathered by the caller. */
export interface ClusterFacts {
  /** `127.0.0.1:6013`. */
  address: string;
  /** Why it could not be asked: nothing listens (absent when it answered). */
  unreachable?: string;
  /** It answered but refused this CLI (auth token, version): a failure. */
  refused?: string;
  coordinator?: { version: string; pid: number };
  daemons: {
    id: string;
    version?: string;
    state: string;
    lostReason?: string;
    lastHeartbeatAgoMs: number;
  }[];
  dataflows: {
    uuid: string;
    name?: string;
    status: string;
    fault?: Record<string, number>;
    error?: string;
  }[];
}

function label(df: ClusterFacts["dataflows"][number]): string {
  return df.name ? `${df.name} (${df.uuid.slice(0, 8)})` : df.uuid.slice(0, 8);
}

/** Coordinator, daemon and running-dataflow checks. */
export function checkCluster(
  facts: ClusterFacts,
  cliVersion: string,
): CheckResult[] {
  if (facts.refused !== undefined) {
    return [
      result(
        "coordinator",
        "fail",
        `coordinator at ${facts.address}: ${facts.refused}`,
        {
          fix:
            "see the message: set the auth token, or run the same dora version everywhere",
        },
      ),
    ];
  }
  if (facts.unreachable !== undefined || !facts.coordinator) {
    return [
      result(
        "coordinator",
        "warn",
        `no coordinator at ${facts.address} (${
          facts.unreachable ?? "no answer"
        }); fine for \`dora run\``,
        {
          fix:
            "`dora up` starts a coordinator and a daemon (for dora start/list/logs)",
        },
      ),
    ];
  }
  const out: CheckResult[] = [];
  const c = facts.coordinator;
  out.push(
    c.version === cliVersion
      ? result(
        "coordinator",
        "ok",
        `coordinator at ${facts.address}: dora ${c.version}, pid ${c.pid}`,
      )
      : result(
        "coordinator",
        "fail",
        `coordinator at ${facts.address} runs dora ${c.version}, this CLI is ${cliVersion}`,
        {
          fix:
            "run the same dora version everywhere (dora down, then dora up with this dora)",
        },
      ),
  );
  const connected = facts.daemons.filter((d) => d.state !== "lost");
  const lost = facts.daemons.filter((d) => d.state === "lost");
  const odd = connected.filter((d) => d.version && d.version !== cliVersion);
  const lines = facts.daemons.map((d) =>
    `${d.id}: ${d.state}${d.lostReason ? ` (${d.lostReason})` : ""}, dora ${
      d.version ?? "?"
    }, last heartbeat ${Math.round(d.lastHeartbeatAgoMs / 100) / 10} s ago`
  );
  if (facts.daemons.length === 0) {
    out.push(
      result("daemons", "fail", "no daemon connected: dataflows cannot start", {
        fix:
          "start one per machine: `dora daemon` (or `dora up` on this machine)",
      }),
    );
  } else if (lost.length > 0 || odd.length > 0) {
    out.push(result(
      "daemons",
      "fail",
      `${connected.length} daemon(s) connected, ${lost.length} lost${
        odd.length ? `, ${odd.length} on another dora version` : ""
      }`,
      {
        details: lines,
        fix: lost.length
          ? "restart the lost daemons (`dora daemon` on their machines) or check the network to them"
          : `run dora ${cliVersion} on every machine`,
      },
    ));
  } else {
    out.push(
      result("daemons", "ok", `${connected.length} daemon(s) connected`, {
        details: lines,
      }),
    );
  }
  const running = facts.dataflows.filter((d) => d.status === "running");
  const troubled = running.filter((d) =>
    Object.values(d.fault ?? {}).some((v) => v > 0) || d.error
  );
  if (troubled.length > 0) {
    out.push(result(
      "dataflows",
      "warn",
      `${running.length} dataflow(s) running, ${troubled.length} with faults`,
      {
        details: troubled.map((d) =>
          `${label(d)}: ${
            Object.entries(d.fault ?? {}).filter(([, v]) => v > 0).map((
              [k, v],
            ) => `${k} ${v}`)
              .join(", ")
          }${d.error ? ` ${d.error}` : ""}`
        ),
        fix: "read their logs: dora logs <name> --all-nodes --level warn",
      },
    ));
  } else {
    out.push(
      result(
        "dataflows",
        "ok",
        `${running.length} dataflow(s) running, all healthy`,
        {
          details: running.map(label),
        },
      ),
    );
  }
  return out;
}
