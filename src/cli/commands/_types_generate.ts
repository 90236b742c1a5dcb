/**
 * `dora types generate <PATH> [-o FILE] [--lang ts|python]`: TypeScript
 * declarations (or a Python stub) of every node's typed inputs and outputs.
 *
 * @module
 */
import { Command, Option } from "commander";
import { CliError, UsageError } from "../errors.ts";

/** The language of `-o FILE`, from its extension. */
function languageOf(file: string | undefined): "ts" | "python" | undefined {
  if (file === undefined) return undefined;
  if (/\.pyi?$/.test(file)) return "python";
  if (/\.m?ts$/.test(file)) return "ts";
  return undefined;
}

/** Adds the `generate` subcommand to `dora types`. */
export function addTypesGenerate(types: Command): void {
  types.addCommand(
    new Command("generate")
      .description(
        "write TypeScript declarations (or a Python stub) of every node's typed inputs and outputs",
      )
      .argument("<PATH>", "dataflow descriptor (YAML)")
      .option("-o, --output <FILE>", "write here instead of to stdout")
      .addOption(
        new Option(
          "--lang <LANG>",
          "ts or python (default: from the extension of -o, else ts)",
        ).choices(["ts", "python"] as const),
      )
      .action(
        async (path: string, opts: { output?: string; lang?: string }) => {
          const lang = opts.lang ?? languageOf(opts.output) ?? "ts";
          if (
            opts.output && languageOf(opts.output) === undefined && !opts.lang
          ) {
            throw new UsageError(
              `cannot tell the language of "${opts.output}": name it .ts, .pyi or .py, or pass --lang`,
            );
          }
          const { analyze, hasErrors } = await import(
            "../../descriptor/mod.ts"
          );
          const { printDiagnostics, summarize } = await import(
            "../../descriptor/report.ts"
          );
          const analysis = await analyze(path, { skipPaths: true });
          printDiagnostics(analysis.diagnostics);
          if (hasErrors(analysis.diagnostics) || !analysis.types) {
            throw new CliError(
              `${analysis.src.file}: ${summarize(analysis.diagnostics)}`,
            );
          }
          const { codegenModel } = await import(
            "../../descriptor/types/codegen_model.ts"
          );
          const model = codegenModel(
            analysis.nodes,
            analysis.types.result.ports,
            analysis.types.library,
          );
          const source = analysis.src.abs.replace(/^.*\//, "");
          let text: string;
          if (lang === "python") {
            const { generatePython } = await import(
              "../../descriptor/types/generate_py.ts"
            );
            text = generatePython(model, source, {
              module: opts.output?.endsWith(".py") ?? false,
            });
          } else {
            const { generateTypeScript } = await import(
              "../../descriptor/types/generate_ts.ts"
            );
            text = generateTypeScript(model, source);
          }
          if (!opts.output) {
            Deno.stdout.writeSync(new TextEncoder().encode(text));
            return;
          }
          await Deno.writeTextFile(opts.output, text);
          const typed = model.nodes.reduce(
            (n, node) =>
              n + [...node.inputs, ...node.outputs].filter((p) => p.urn).length,
            0,
          );
          console.error(
            `wrote ${opts.output} (${model.nodes.length} node${
              model.nodes.length === 1 ? "" : "s"
            }, ${typed} typed port${typed === 1 ? "" : "s"})`,
          );
        },
      ),
  );
}
