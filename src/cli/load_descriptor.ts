/**
 * Loading a descriptor for a command: warnings printed, problems turned into
 * one {@linkcode CliError} with a positioned line each.
 *
 * @module
 */
import {
  type Dataflow,
  DescriptorError,
  formatDiagnostic,
  loadDataflow,
} from "../descriptor/mod.ts";
import { CliError } from "./errors.ts";

/**
 * Loads and validates a descriptor, turning problems into CLI errors;
 * `strictTypes` makes type problems errors (`--strict-types`).
 */
export async function loadForCli(
  path: string,
  options: { strictTypes?: boolean; skipPaths?: boolean } = {},
): Promise<Dataflow> {
  return (await loadWithFlat(path, options)).dataflow;
}

/** {@link loadForCli}, also giving the flat YAML (what `dora expand` prints). */
export async function loadWithFlat(
  path: string,
  options: { strictTypes?: boolean; skipPaths?: boolean } = {},
): Promise<{ dataflow: Dataflow; flat: string }> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`dataflow file not found: ${path}`);
    }
    throw e;
  }
  try {
    const loaded = await loadDataflow(path, options);
    for (const w of loaded.warnings) console.error(formatDiagnostic(w));
    return { dataflow: loaded.dataflow, flat: loaded.flat };
  } catch (e) {
    if (e instanceof DescriptorError) {
      throw new CliError(e.message, {
        details: e.diagnostics.map(formatDiagnostic),
      });
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`dataflow file not found: ${path}`);
    }
    throw e;
  }
}
