/**
 * `dora clean`: remove what dead runs left on this machine (runtime folders,
 * shared-memory regions, discovery sockets of killed runners), and forget
 * finished and failed dataflows in the coordinator when one answers.
 *
 * @module
 */
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import {
  CoordinatorUnreachable,
  withCoordinator,
} from "../coordinator_client.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import { formatTarget } from "../../control/target.ts";
import { type Leftovers, sweepLeftovers } from "../../runtime/mod.ts";

/** `1 runtime folder, 3 shared-memory regions` (nothing: `nothing`). */
function leftoverText(l: Leftovers): string {
  const parts: string[] = [];
  const add = (n: number, one: string, many: string) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(l.folders.length, "runtime folder", "runtime folders");
  add(l.regions.length, "shared-memory region", "shared-memory regions");
  add(l.sockets.length, "discovery socket", "discovery sockets");
  return parts.length ? parts.join(", ") : "nothing";
}

/** Registers `dora clean`. */
export function registerClean(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("clean")
        .description(
          "remove finished and failed dataflows from `dora list`, and what dead runs left on this machine",
        )
        .option("-f, --format <FORMAT>", "table | json", "table")
        .option("-q, --quiet", "print nothing"),
    ).action(
      async (opts: TargetFlags & { format: string; quiet?: boolean }) => {
        if (opts.format !== "table" && opts.format !== "json") {
          throw new UsageError(
            `invalid --format "${opts.format}": expected table or json`,
          );
        }
        const target = resolveTarget(opts);
        const leftovers = sweepLeftovers();
        let removed: number | null = null;
        try {
          const r = await withCoordinator(
            target,
            (peer) => peer.call<{ removed: number }>("clean"),
          );
          removed = r.removed;
        } catch (err) {
          // Without a coordinator there is still this machine to clean.
          if (!(err instanceof CoordinatorUnreachable)) throw err;
        }
        if (opts.quiet) return;
        if (opts.format === "json") {
          console.log(JSON.stringify({ removed, leftovers }));
          return;
        }
        if (removed === null) {
          console.log(
            `no coordinator at ${formatTarget(target)}: no dataflow forgotten`,
          );
        } else console.log(`removed ${removed} finished dataflow(s)`);
        console.log(
          `removed leftovers of dead runs: ${leftoverText(leftovers)}`,
        );
      },
    ),
  );
}
