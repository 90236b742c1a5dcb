/**
 * `dora status` (alias `check`): is the coordinator up, which daemons are
 * connected or lost.
 *
 * @module
 */
import { Command } from "commander";
import { DORA_VERSION } from "../../version.ts";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../coordinator_client.ts";
import { formatAgo, renderTable } from "../_output.ts";
import {
  formatTarget,
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";

interface StatusReply {
  version: string;
  pid: number;
  interface: string;
  port: number;
  store: string;
  startedAt: number;
  daemons: {
    daemonId: string;
    machineId?: string;
    labels: Record<string, string>;
    state: string;
    lostReason?: string;
    lastHeartbeatAgoMs: number;
    dataflows: number;
  }[];
  dataflows: { running: number; fault?: Record<string, number> };
}

const FAULT_LABELS: Record<string, [string, string]> = {
  restarts: ["restart", "restarts"],
  healthCheckKills: ["health-check kill", "health-check kills"],
  inputTimeouts: ["input timeout", "input timeouts"],
  recoveries: ["recovery", "recoveries"],
  droppedMessages: ["dropped message", "dropped messages"],
};

/** ` (3 restarts, 1 input timeout)`: non-zero fault counters, or nothing. */
export function faultNote(totals: Record<string, number> | undefined): string {
  const parts = Object.entries(totals ?? {}).filter(([k, v]) =>
    v > 0 && FAULT_LABELS[k]
  ).map(([k, v]) => `${v} ${FAULT_LABELS[k][v === 1 ? 0 : 1]}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** Registers `dora status`. */
export function registerStatus(program: Command): void {
  program.addCommand(statusCommand().alias("check"));
}

/** A fresh `status` command (also mounted as `dora system status`). */
export function statusCommand(): Command {
  return withTargetOptions(
    new Command("status")
      .description("show the coordinator and its daemons")
      .option("-f, --format <FORMAT>", "table | json", "table"),
  ).action(async (opts: TargetFlags & { format: string }) => {
    if (opts.format !== "table" && opts.format !== "json") {
      throw new UsageError(
        `invalid --format "${opts.format}": expected table or json`,
      );
    }
    const target = resolveTarget(opts);
    const s = await withCoordinator(
      target,
      (peer) => peer.call<StatusReply>("status"),
    );
    if (opts.format === "json") {
      console.log(JSON.stringify(s));
      return;
    }
    console.log(
      `coordinator: ${
        formatTarget(target)
      }, dora ${s.version} (cli ${DORA_VERSION}), pid ${s.pid}, up ${
        formatAgo(Date.now() - s.startedAt)
      }, store ${s.store}`,
    );
    console.log(
      `dataflows:   ${s.dataflows.running} running${
        faultNote(s.dataflows.fault)
      }`,
    );
    if (s.daemons.length === 0) {
      console.log(
        "daemons:     none connected (start one with `dora daemon` or `dora up`)",
      );
      return;
    }
    console.log();
    console.log(renderTable(
      ["DAEMON", "STATUS", "LAST HEARTBEAT", "DATAFLOWS", "LABELS"],
      s.daemons.map((d) => [
        d.daemonId,
        d.state === "lost"
          ? `lost (${d.lostReason ?? "no heartbeat"})`
          : d.state,
        `${formatAgo(d.lastHeartbeatAgoMs)} ago`,
        String(d.dataflows),
        Object.entries(d.labels).map(([k, v]) => `${k}=${v}`).join(",") ||
        "-",
      ]),
    ));
  });
}
