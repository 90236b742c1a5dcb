/**
 * `dora stop [UUID|NAME]`: run the stop ladder of a dataflow on its daemons
 * and wait for it to end.
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../coordinator_client.ts";
import { durationOption } from "../_options.ts";
import { chooseDataflow } from "../choose_dataflow.ts";
import { describeOutcome } from "../outcome.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";

interface StopOptions extends TargetFlags {
  name?: string;
  graceDuration?: string;
  force?: boolean;
  all?: boolean;
}

/** Registers `dora stop`. */
export function registerStop(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("stop")
        .description(
          "stop a running dataflow (Stop → grace → SIGTERM → SIGKILL)",
        )
        .argument("[UUID_OR_NAME]", "dataflow (default: the only running one)")
        .option("-n, --name <NAME>", "dataflow name")
        .option(
          "--grace-duration <DURATION>",
          "time nodes get after Stop (default 10s)",
        )
        .option("-f, --force", "kill the nodes at once")
        .option("--all", "stop every running dataflow"),
    ).action(async (ref: string | undefined, opts: StopOptions) => {
      if (opts.force && opts.graceDuration) {
        throw new UsageError("--force and --grace-duration exclude each other");
      }
      if (ref && opts.name) {
        throw new UsageError("give either UUID_OR_NAME or --name");
      }
      if (opts.all && (ref || opts.name)) {
        throw new UsageError(
          "--all stops every running dataflow: give it no UUID_OR_NAME or --name",
        );
      }
      const graceMs = durationOption("--grace-duration", opts.graceDuration);
      const failed = await withCoordinator(
        resolveTarget(opts),
        async (peer) => {
          let refs: string[];
          if (opts.all) {
            const { dataflows } = await peer.call<
              { dataflows: { uuid: string }[] }
            >("running");
            refs = dataflows.map((d) => d.uuid);
            if (!refs.length) console.log("no dataflow is running");
          } else refs = [await chooseDataflow(peer, ref ?? opts.name)];
          const outcomes = await Promise.all(refs.map((r) =>
            peer.call<
              { uuid: string; name?: string; status: string; error?: string }
            >(
              "stop",
              { ref: r, graceMs, force: Boolean(opts.force) },
            )
          ));
          let anyFailed = false;
          for (const o of outcomes) {
            const { line, failed } = describeOutcome(o);
            console.log(line);
            anyFailed ||= failed;
          }
          return anyFailed;
        },
      );
      if (failed) Deno.exitCode = 1;
    }),
  );
}
