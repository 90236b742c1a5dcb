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
    return loaded.dataflow;
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
