/**
 * `dora restart [UUID|NAME]`: stop a dataflow and start it again from the
 * descriptor the coordinator stored (no YAML path needed).
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../coordinator_client.ts";
import { durationOption } from "../_options.ts";
import { chooseDataflow } from "../choose_dataflow.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";

interface RestartOptions extends TargetFlags {
  name?: string;
  graceDuration?: string;
  force?: boolean;
}

/** Registers `dora restart`. */
export function registerRestart(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("restart")
        .description(
          "stop a dataflow and start it again from its stored descriptor",
        )
        .argument("[UUID_OR_NAME]", "dataflow (default: the only running one)")
        .option("-n, --name <NAME>", "dataflow name")
        .option("--grace-duration <DURATION>", "grace period of the stop phase")
        .option("-f, --force", "kill the nodes before restarting"),
    ).action(async (ref: string | undefined, opts: RestartOptions) => {
      if (opts.force && opts.graceDuration) {
        throw new UsageError("--force and --grace-duration exclude each other");
      }
      if (ref && opts.name) {
        throw new UsageError("give either UUID_OR_NAME or --name");
      }
      const graceMs = durationOption("--grace-duration", opts.graceDuration);
      const r = await withCoordinator(resolveTarget(opts), async (peer) => {
        const which = await chooseDataflow(peer, ref ?? opts.name);
        return await peer.call<
          { oldUuid: string; uuid: string; name?: string }
        >(
          "restart",
          { ref: which, graceMs, force: Boolean(opts.force) },
        );
      });
      console.error(
        `restarted ${r.name ? `${r.name}: ` : ""}${r.oldUuid} -> ${r.uuid}`,
      );
      console.log(r.uuid);
    }),
  );
}
