/**
 * `dora restart [UUID|NAME]`: stop a dataflow and start it again from the
 * descriptor the coordinator stored (no YAML path needed).
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../../control/client.ts";
import { chooseDataflow, durationMs } from "../../control/cli_support.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../../control/target.ts";
import type { RegisterCommand } from "./mod.ts";

interface RestartOptions extends TargetFlags {
  name?: string;
  graceDuration?: string;
  force?: boolean;
}

/** Registers `dora restart`. */
export const registerRestart: RegisterCommand = (program) => {
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
      const graceMs = durationMs("--grace-duration", opts.graceDuration);
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
};
