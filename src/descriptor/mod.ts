/**
 * Loading a dataflow descriptor: parse the YAML, check it against the schema,
 * expand modules, check wiring and paths, and resolve it into the model the
 * runtime consumes. Every problem is reported at once with its position.
 *
 * @example
 * ```ts
 * import { DescriptorError, formatDiagnostic, loadDataflow } from "./mod.ts";
 * try {
 *   const { dataflow, warnings } = await loadDataflow("dataflow.yml");
 *   warnings.forEach((w) => console.error(formatDiagnostic(w)));
 *   console.log(dataflow.nodes.map((n) => n.id));
 * } catch (err) {
 *   if (err instanceof DescriptorError) err.diagnostics.forEach((d) => console.error(formatDiagnostic(d)));
 * }
 * ```
 *
 * @module
 */
import { DescriptorError, type Diagnostic } from "./diagnostic.ts";
import { analyze, type AnalyzeOptions } from "./load.ts";
import type { Dataflow } from "./model.ts";
import { flatData, yamlText } from "./flat_text.ts";

export type * from "./model.ts";
export {
  DescriptorError,
  type Diagnostic,
  formatDiagnostic,
} from "./diagnostic.ts";
export {
  type Analysis,
  analyze,
  analyzeModule,
  type AnalyzeOptions,
  analyzeSource,
  hasErrors,
} from "./load.ts";
export {
  checkResolvedDataflow,
  InvalidDataflowError,
} from "./resolved_check.ts";
export {
  isReservedEnv,
  RESERVED_ENV,
  RESERVED_ENV_PREFIXES,
} from "./reserved_env.ts";
export { displayName, SourceFile, type YamlPath } from "./source.ts";
export { didYouMean } from "./suggest.ts";
export { flatData, yamlText } from "./flat_text.ts";
export {
  MAX_PARAM_KEY_BYTES,
  MAX_PARAM_VALUE_BYTES,
  type NodeParams,
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "./node_params.ts";

/**
 * Loads, expands and validates the dataflow at `path`; `flat` is its flat
 * YAML (modules expanded, what `dora expand` prints).
 *
 * @throws {DescriptorError} with every error (and warning) when it is invalid.
 */
export async function loadDataflow(
  path: string,
  options: AnalyzeOptions = {},
): Promise<{ dataflow: Dataflow; warnings: Diagnostic[]; flat: string }> {
  const analysis = await analyze(path, options);
  if (!analysis.dataflow) throw new DescriptorError(analysis.diagnostics);
  return {
    dataflow: analysis.dataflow,
    warnings: analysis.diagnostics,
    flat: yamlText(flatData(analysis)),
  };
}
export {
  isInternalInput,
  operatorPort,
  sharedLibraryFile,
  sharedLibraryNameProblem,
} from "./operators.ts";
export {
  keyExprProblem,
  ZENOH_PUB_PATH,
  ZENOH_SUB_PATH,
} from "./zenoh_node.ts";
