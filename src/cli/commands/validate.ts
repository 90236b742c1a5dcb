/**
 * `dora validate <PATH>`: checks a dataflow (schema, wiring, modules, paths)
 * and reports every problem as `file:line:column: message`.
 *
 * @module
 */
import { Option } from "commander";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

/** Registers `dora validate`. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check a dataflow descriptor: schema, node ids, inputs, modules and paths",
    )
    .argument("<PATH>", "dataflow descriptor (YAML)")
    .option(
      "--strict-types",
      "type problems are errors, and any warning fails (exit 1, for CI)",
    )
    .addOption(
      new Option("--format <FORMAT>", "output format").choices(
        ["text", "json"] as const,
      ).default("text" as const),
    )
    .action(async (path, options) => {
      const { analyze, hasErrors } = await import("../../descriptor/mod.ts");
      const { printDiagnostics, summarize } = await import(
        "../../descriptor/report.ts"
      );
      const { sortDiagnostics } = await import(
        "../../descriptor/diagnostic.ts"
      );
      const analysis = await analyze(path, {
        strictTypes: options.strictTypes === true,
      });
      const list = analysis.diagnostics;
      const shown = sortDiagnostics([...list, ...analysis.notes]);
      const failed = hasErrors(list) ||
        (options.strictTypes === true &&
          list.some((d) => d.severity === "warning"));
      if (options.format === "json") {
        console.log(JSON.stringify(
          {
            path: analysis.src.file,
            valid: !failed,
            nodes: analysis.dataflow?.nodes.map((n) => n.id) ?? [],
            diagnostics: shown,
          },
          null,
          2,
        ));
        if (failed) Deno.exitCode = 1;
        return;
      }
      printDiagnostics(shown);
      if (failed) {
        throw new CliError(`${analysis.src.file}: ${summarize(list)}`);
      }
      const count = analysis.dataflow?.nodes.length ?? 0;
      console.log(
        `${analysis.src.file}: valid (${count} node${count === 1 ? "" : "s"}${
          list.length ? `, ${summarize(list)}` : ""
        })`,
      );
    });
}
