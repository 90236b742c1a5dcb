/**
 * `dora expand <PATH> [--module]`: prints the dataflow with every module
 * expanded into plain nodes, as YAML.
 *
 * @module
 */
import { writeText } from "../_output.ts";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

/** Registers `dora expand`. */
export function registerExpand(program: Command): void {
  program
    .command("expand")
    .description("expand module references and print the flat dataflow YAML")
    .argument("<PATH>", "dataflow descriptor (or a module file with --module)")
    .option("--module", "check a standalone module file instead of a dataflow")
    .action(async (path, options) => {
      const { analyze, analyzeModule, flatData, hasErrors, yamlText } =
        await import("../../descriptor/mod.ts");
      const { printDiagnostics, summarize } = await import(
        "../../descriptor/report.ts"
      );

      const analysis = options.module
        ? await analyzeModule(path)
        : await analyze(path, { skipPaths: true });
      printDiagnostics(analysis.diagnostics);
      if (hasErrors(analysis.diagnostics)) {
        throw new CliError(
          `${analysis.src.file}: ${summarize(analysis.diagnostics)}`,
        );
      }
      const flat = flatData(analysis);
      if (options.module) delete flat.build;
      writeText(yamlText(flat));
    });
}
