/**
 * `dora doctor [--dataflow PATH]`: checks this machine and the cluster, one
 * line per check with ✔ (ok), ! (worth knowing) or ✘ (broken, with a fix);
 * `--format json` for scripts; exits 1 when a check failed.
 *
 * @module
 */
import { Command, Option } from "commander";
import { CliError } from "../errors.ts";
import { DORA_VERSION } from "../../version.ts";
import { sourceRoot } from "../../dora_command.ts";
import {
  formatTarget,
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import type { CheckResult, ClusterFacts } from "../../doctor/mod.ts";

const MARKS = { ok: "✔", warn: "!", fail: "✘" } as const;
const COLORS = { ok: "\x1b[32m", warn: "\x1b[33m", fail: "\x1b[31m" } as const;

/** Asks the coordinator what the cluster looks like; never throws. */
async function gatherCluster(flags: TargetFlags): Promise<ClusterFacts> {
  const { connectCoordinator, CoordinatorUnreachable } = await import(
    "../coordinator_client.ts"
  );
  const target = resolveTarget(flags);
  const facts: ClusterFacts = {
    address: formatTarget(target),
    daemons: [],
    dataflows: [],
  };
  let peer;
  try {
    peer = (await connectCoordinator(target, { timeoutMs: 1500 })).peer;
  } catch (err) {
    if (err instanceof CoordinatorUnreachable) {
      facts.unreachable = "nothing answers";
    } else facts.refused = (err as Error).message;
    return facts;
  }
  try {
    const status = await peer.call<{
      version: string;
      pid: number;
      daemons: {
        daemonId: string;
        version?: string;
        state: string;
        lostReason?: string;
        lastHeartbeatAgoMs: number;
      }[];
    }>("status");
    facts.coordinator = { version: status.version, pid: status.pid };
    facts.daemons = status.daemons.map((d) => ({
      id: d.daemonId,
      version: d.version,
      state: d.state,
      lostReason: d.lostReason,
      lastHeartbeatAgoMs: d.lastHeartbeatAgoMs,
    }));
    const list = await peer.call<{ dataflows: ClusterFacts["dataflows"] }>(
      "list",
    );
    facts.dataflows = list.dataflows;
  } catch (err) {
    facts.refused = `it failed to answer: ${(err as Error).message}`;
  } finally {
    peer.close(1000, "done");
  }
  return facts;
}

function render(checks: CheckResult[], color: boolean): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    const mark = color
      ? `${COLORS[c.status]}${MARKS[c.status]}\x1b[0m`
      : MARKS[c.status];
    lines.push(`${mark} ${c.summary}`);
    for (const d of c.details ?? []) lines.push(`    ${d}`);
    if (c.fix) lines.push(`    fix: ${c.fix}`);
  }
  return lines;
}

/** Registers `dora doctor`. */
export function registerDoctor(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("doctor")
        .description(
          "check this machine and the cluster: versions, Python, shared memory, coordinator, daemons, a dataflow",
        )
        .option(
          "--dataflow <PATH>",
          "also validate this dataflow and check what its nodes need",
        )
        .addOption(
          new Option("--format <FORMAT>", "output format").choices(
            ["text", "json"] as const,
          ).default("text" as const),
        ),
    ).action(
      async (opts: TargetFlags & { dataflow?: string; format: string }) => {
        resolveTarget(opts); // a bad --coordinator-port is a usage error first
        const { runDoctor } = await import("../../doctor/mod.ts");
        const checks = await runDoctor({
          doraVersion: DORA_VERSION,
          root: sourceRoot(),
          dataflow: opts.dataflow,
          cluster: () => gatherCluster(opts),
        });
        const failed = checks.filter((c) => c.status === "fail").length;
        if (opts.format === "json") {
          console.log(JSON.stringify({ ok: failed === 0, checks }, null, 2));
          if (failed) Deno.exitCode = 1;
          return;
        }
        const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
        for (const line of render(checks, color)) console.log(line);
        const warned = checks.filter((c) => c.status === "warn").length;
        console.log();
        if (failed) {
          throw new CliError(
            `${failed} check${failed === 1 ? "" : "s"} failed${
              warned ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""
            }`,
          );
        }
        console.log(
          `all checks passed${
            warned ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""
          }`,
        );
      },
    ),
  );
}
