/**
 * `dora types`: the type library and typed node code.
 *
 * - `dora types generate <PATH> [-o FILE] [--lang ts|python]`: TypeScript
 *   declarations (or a Python stub) for every node's typed inputs and outputs.
 * - `dora types list [PATH] [--format json]`: the types a dataflow can use.
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

/** Registers `dora types`. */
export function registerTypes(program: Command): void {
  const types = new Command("types").description(
    "typed dataflows: generate typed node code, list the type library",
  );
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
  types.addCommand(
    new Command("list")
      .description(
        "list the types a dataflow can use (the standard library and its types/ folder)",
      )
      .argument("[PATH]", "dataflow descriptor whose types/ folder to include")
      .addOption(
        new Option("--format <FORMAT>", "output format").choices(
          ["table", "json"] as const,
        ).default("table" as const),
      )
      .action(async (path: string | undefined, opts: { format: string }) => {
        const { loadTypeLibrary, describeDataType } = await import(
          "../../descriptor/types/mod.ts"
        );
        const { formatDiagnostic } = await import(
          "../../descriptor/diagnostic.ts"
        );
        const { dirname, resolve } = await import("node:path");
        const dir = path === undefined ? Deno.cwd() : dirname(resolve(path));
        const { library, diagnostics } = await loadTypeLibrary(dir);
        const errors = diagnostics.filter((d) => d.severity === "error");
        for (const d of diagnostics) console.error(formatDiagnostic(d));
        const rows = library.urns().map((urn) => {
          const def = library.get(urn)!;
          const dt = library.dataType(urn);
          return {
            urn,
            arrow: dt === undefined ? def.arrow : describeDataType(dt),
            params: def.params.map((p) => p.name),
            description: def.description ?? "",
          };
        });
        if (opts.format === "json") {
          console.log(JSON.stringify(rows, null, 2));
        } else {
          const { renderTable } = await import("../_output.ts");
          console.log(renderTable(
            ["TYPE", "ARROW", "PARAMETERS", "DESCRIPTION"],
            rows.map((r) => [
              r.urn,
              r.arrow.length > 48 ? `${r.arrow.slice(0, 45)}...` : r.arrow,
              r.params.join(", "),
              r.description,
            ]),
          ));
        }
        if (errors.length) {
          throw new CliError(
            `${errors.length} problem${
              errors.length === 1 ? "" : "s"
            } in the type files`,
          );
        }
      }),
  );
  program.addCommand(types);
}
