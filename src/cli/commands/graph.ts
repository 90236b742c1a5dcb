/**
 * `dora graph <PATH> [--mermaid] [--open]`: the dataflow as a Mermaid
 * flowchart, printed or written to a self-contained HTML page.
 *
 * @module
 */
import { writeText } from "../_output.ts";
import type { Command } from "commander";
import { CliError } from "../errors.ts";

/** Registers `dora graph`. */
export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description("visualize a dataflow (Mermaid text or an HTML page)")
    .argument("<PATH>", "dataflow descriptor (YAML)")
    .option("--mermaid", "print the Mermaid diagram text")
    .option("--open", "open the HTML page in a browser")
    .option("-o, --output <FILE>", "where to write the HTML page")
    .action(async (path, options) => {
      const { analyze, hasErrors } = await import("../../descriptor/mod.ts");
      const { printDiagnostics, summarize } = await import(
        "../../descriptor/report.ts"
      );
      const { toMermaid } = await import("../../descriptor/mermaid.ts");
      const analysis = await analyze(path, { skipPaths: true });
      if (hasErrors(analysis.diagnostics) || !analysis.dataflow) {
        printDiagnostics(analysis.diagnostics);
        throw new CliError(
          `${analysis.src.file}: ${summarize(analysis.diagnostics)}`,
        );
      }
      const text = toMermaid(analysis.dataflow);
      if (options.mermaid) {
        writeText(text);
        return;
      }
      const { graphHtml } = await import("../../descriptor/graph_html.ts");
      const { mermaidScript } = await import("../mermaid_js.ts");
      const js = await mermaidScript();
      const stem = analysis.src.abs.replace(/^.*\//, "").replace(
        /\.ya?ml$/,
        "",
      );
      const output = options.output ?? freeGraphName(stem);
      await Deno.writeTextFile(output, graphHtml(stem, text, js));
      console.log(`wrote ${output}`);
      if (options.open) await openInBrowser(output);
    });
}

/** `<stem>-graph.html` in the current folder, or `<stem>-graph.N.html` when taken. */
function freeGraphName(stem: string): string {
  for (let n = 0;; n++) {
    const name = n === 0 ? `${stem}-graph.html` : `${stem}-graph.${n}.html`;
    try {
      Deno.lstatSync(name);
    } catch {
      return name;
    }
  }
}

async function openInBrowser(file: string): Promise<void> {
  const opener = Deno.build.os === "darwin"
    ? "open"
    : Deno.build.os === "windows"
    ? "explorer"
    : "xdg-open";
  try {
    const child = new Deno.Command(opener, {
      args: [file],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const status = await child.status;
    if (!status.success) {
      throw new Error(`${opener} exited with ${status.code}`);
    }
  } catch (err) {
    throw new CliError(`could not open ${file} in a browser`, {
      cause: err,
      details: [`open it yourself: ${file}`],
    });
  }
}
