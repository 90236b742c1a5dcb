/**
 * `dora self uninstall [--force]`: removes what `deno task install` installed
 * (and a compiled or bundled dora program); asks first on a terminal unless
 * `--force`.
 *
 * @module
 */
import { Command } from "commander";
import { CliError } from "../../errors.ts";
import { selfUpdateCliError } from "./_errors.ts";

/** Reads one line from stdin (the answer to a question). */
async function readLine(): Promise<string> {
  const buf = new Uint8Array(256);
  const n = await Deno.stdin.read(buf);
  return n === null ? "" : new TextDecoder().decode(buf.subarray(0, n)).trim();
}

/** The `self uninstall` command. */
export function uninstallCommand(): Command {
  return new Command("uninstall")
    .description("remove the installed dora (asks first unless --force)")
    .option("--force", "do not ask for confirmation")
    .action(async (opts: { force?: boolean }) => {
      const m = await import("../../../self_update/mod.ts");
      let paths: string[];
      try {
        paths = m.uninstallPlan(m.runningProgram());
      } catch (err) {
        if (err instanceof m.SelfUpdateError) throw selfUpdateCliError(err);
        throw err;
      }
      if (!opts.force) {
        if (!Deno.stdin.isTerminal()) {
          throw new CliError(
            "not uninstalling without confirmation: stdin is not a terminal",
            { details: ["pass --force to uninstall non-interactively"] },
          );
        }
        console.log("this removes:");
        for (const p of paths) console.log(`  ${p}`);
        await Deno.stdout.write(
          new TextEncoder().encode("uninstall dora? [y/N] "),
        );
        const answer = await readLine();
        if (!/^y(es)?$/i.test(answer)) {
          console.log("uninstall cancelled");
          return;
        }
      }
      m.removePaths(paths);
      for (const p of paths) console.log(`removed ${p}`);
      console.log(
        "dora is uninstalled (its state ~/.dora and download cache ~/.cache/dora were kept)",
      );
    });
}
