/**
 * `dora types list [PATH] [--format table|json]`: the types a dataflow can
 * use (the standard library and its `types/` folder).
 *
 * @module
 */
import { Command, Option } from "commander";
import { CliError } from "../errors.ts";

/** Adds the `list` subcommand to `dora types`. */
export function addTypesList(types: Command): void {
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
}
