/**
 * `dora self update [--check-only] [--source URL]`: updates the running dora
 * from a release source (default: this project's published releases;
 * `DORA_RELEASE_SOURCE` overrides it).
 *
 * @module
 */
import { Command } from "commander";
import { DORA_VERSION } from "../../../version.ts";
import { selfUpdateCliError } from "./_errors.ts";

/** The `self update` command. */
export function updateCommand(): Command {
  return new Command("update")
    .description("check for a newer dora release and install it")
    .option("--check-only", "only say whether an update is available")
    .option(
      "--source <URL>",
      "release manifest URL (env DORA_RELEASE_SOURCE; default: this project's releases)",
    )
    .action(async (opts: { checkOnly?: boolean; source?: string }) => {
      const m = await import("../../../self_update/mod.ts");
      const source = m.releaseSource(opts.source);
      const program = m.runningProgram();
      try {
        console.log(`checking ${source} for updates…`);
        const check = await m.checkForUpdate(DORA_VERSION, source);
        if (!check.newer) {
          console.log(
            `dora is up to date (current: ${check.current}, latest release: ${check.latest})`,
          );
          return;
        }
        if (opts.checkOnly) {
          console.log(
            `an update is available: ${check.latest} (current: ${check.current}); run \`dora self update\` to install it`,
          );
          return;
        }
        const asset = m.assetFor(check.manifest, program);
        console.log(`downloading ${asset.url}…`);
        await m.applyUpdate(check, program);
        console.log(
          `updated dora ${check.current} → ${check.latest} (${program.path})`,
        );
      } catch (err) {
        if (err instanceof m.SelfUpdateError) throw selfUpdateCliError(err);
        throw err;
      }
    });
}
