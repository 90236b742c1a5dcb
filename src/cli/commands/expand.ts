/**
 * `dora expand <PATH> [--module]`: prints the dataflow with every module
 * expanded into plain nodes, as YAML. `dora expand NAME_OR_UUID` (no such
 * file) prints the current graph of a dataflow the coordinator knows, with
 * the changes made while it runs (`dora node add`, …).
 *
 * @module
 */
import { writeText } from "../_output.ts";
import type { Command } from "commander";
import { CliError } from "../errors.ts";
import { type TargetFlags, withTargetOptions } from "../target.ts";

interface ExpandOptions extends TargetFlags {
  module?: boolean;
}

/** Registers `dora expand`. */
export function registerExpand(program: Command): void {
  withTargetOptions(
    program
      .command("expand")
      .description(
        "expand module references and print the flat dataflow YAML (or the current graph of a running dataflow)",
      )
      .argument(
        "<PATH>",
        "dataflow descriptor (or a module file with --module), or the name or uuid of a dataflow the coordinator knows",
      )
      .option(
        "--module",
        "check a standalone module file instead of a dataflow",
      ),
  ).action(async (path: string, options: ExpandOptions) => {
    if (!options.module && !(await exists(path))) {
      const stored = await storedGraph(path, options);
      if (stored !== undefined) {
        writeText(stored);
        return;
      }
    }
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

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The flat YAML of the dataflow `ref` names, from the coordinator or a
 * `dora run` of this machine; undefined when none runs it (then `ref` is a
 * missing file).
 */
async function storedGraph(
  ref: string,
  flags: TargetFlags,
): Promise<string | undefined> {
  const { InspectSession } = await import("../inspect_target.ts");
  let session;
  try {
    session = await InspectSession.open(flags);
  } catch {
    return undefined;
  }
  try {
    let g;
    try {
      const d = await session.choose(ref);
      const peer = await session.connect(d.source);
      g = await peer.call<{ source?: string; name?: string; uuid: string }>(
        "graph_get",
        { ref: d.uuid },
      );
    } catch {
      // The coordinator also knows dataflows that ended.
      if (!session.coordinator) return undefined;
      try {
        g = await session.coordinator.peer.call<
          { source?: string; name?: string; uuid: string }
        >("graph_get", { ref });
      } catch {
        return undefined;
      }
    }
    if (g.source === undefined) {
      throw new CliError(
        `the graph of dataflow ${
          g.name ? `"${g.name}"` : g.uuid
        } was not kept (it was started by \`dora record\` or \`dora replay\`, or by an older dora): it cannot be printed`,
      );
    }
    return g.source;
  } finally {
    session.close();
  }
}
