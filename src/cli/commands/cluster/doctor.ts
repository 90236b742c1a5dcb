/**
 * `dora cluster doctor <FILE>`: `dora doctor` on every machine over SSH
 * (the installed dora checks Deno, Python and pyarrow for Python nodes,
 * shared memory, and whether the machine reaches the cluster's coordinator).
 *
 * @module
 */
import { Command, type CommandUnknownOpts, Option } from "commander";
import {
  asMachineError,
  doctorOnMachine,
  type MachineDoctor,
  type MachineError,
  sshDestination,
} from "../../../cluster/mod.ts";
import { useColor } from "../../_output.ts";
import { CliError } from "../../errors.ts";
import { clusterToken, failureDetails, loadCluster } from "./_support.ts";

const MARKS = { ok: "✔", warn: "!", fail: "✘" } as const;
const COLORS = { ok: "\x1b[32m", warn: "\x1b[33m", fail: "\x1b[31m" } as const;

/** `dora cluster doctor`. */
export function clusterDoctorCommand(): CommandUnknownOpts {
  return new Command("doctor")
    .description(
      "run `dora doctor` on every machine over SSH (Python and pyarrow, shared memory, the coordinator)",
    )
    .argument("<FILE>", "cluster file (YAML)")
    .addOption(
      new Option("--format <FORMAT>", "output format").choices(
        ["text", "json"] as const,
      ).default("text" as const),
    )
    .action(async (file: string, opts: { format: "text" | "json" }) => {
      const cluster = await loadCluster(file);
      const token = clusterToken();
      const results = await Promise.allSettled(
        cluster.machines.map((m) => doctorOnMachine(cluster, m, token)),
      );
      const reports: MachineDoctor[] = [];
      const failures: MachineError[] = [];
      results.forEach((r, i) => {
        if (r.status === "fulfilled") reports.push(r.value);
        else failures.push(asMachineError(cluster.machines[i]!, r.reason));
      });
      const failing = reports.filter((r) => !r.ok).map((r) => r.machineId);
      if (opts.format === "json") {
        console.log(JSON.stringify({
          ok: failing.length === 0 && failures.length === 0,
          machines: reports,
          unreachable: failures.map((f) => ({
            machineId: f.machineId,
            error: f.message,
          })),
        }));
        if (failing.length || failures.length) Deno.exitCode = 1;
        return;
      }
      const color = useColor(Deno.stdout);
      for (const m of cluster.machines) {
        const report = reports.find((r) => r.machineId === m.id);
        if (!report) continue;
        console.log(`${m.id} (${sshDestination(m)})`);
        for (const c of report.checks) {
          const mark = color
            ? `${COLORS[c.status]}${MARKS[c.status]}\x1b[0m`
            : MARKS[c.status];
          console.log(`  ${mark} ${c.summary}`);
          for (const d of c.details ?? []) console.log(`      ${d}`);
          if (c.fix) console.log(`      fix: ${c.fix}`);
        }
        console.log();
      }
      if (failing.length || failures.length) {
        throw new CliError(
          [
            failing.length ? `checks failed on ${failing.join(", ")}` : "",
            failures.length
              ? `no report from ${failures.map((f) => f.machineId).join(", ")}`
              : "",
          ].filter(Boolean).join("; "),
          { details: failureDetails(failures) },
        );
      }
      console.log(
        `all checks passed on ${reports.length} machine${
          reports.length === 1 ? "" : "s"
        }`,
      );
    });
}
