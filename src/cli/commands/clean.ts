/**
 * `dora clean`: forget finished and failed dataflows in the coordinator.
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withCoordinator } from "../coordinator_client.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";

/** Registers `dora clean`. */
export function registerClean(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("clean")
        .description("remove finished and failed dataflows from `dora list`")
        .option("-f, --format <FORMAT>", "table | json", "table")
        .option("-q, --quiet", "print nothing"),
    ).action(
      async (opts: TargetFlags & { format: string; quiet?: boolean }) => {
        if (opts.format !== "table" && opts.format !== "json") {
          throw new UsageError(
            `invalid --format "${opts.format}": expected table or json`,
          );
        }
        const r = await withCoordinator(
          resolveTarget(opts),
          (peer) => peer.call<{ removed: number }>("clean"),
        );
        if (opts.quiet) return;
        if (opts.format === "json") console.log(JSON.stringify(r));
        else console.log(`removed ${r.removed} finished dataflow(s)`);
      },
    ),
  );
}
