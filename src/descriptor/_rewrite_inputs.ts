/**
 * Input rewriting: the inputs of a node of one file level rewritten into the
 * flat namespace (`<module-id>.<inner-id>`), `_mod/<port>` replaced by the
 * parent's wiring and `<module>/<output>` by the inner producer.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { type Origin, sourceText } from "./flat.ts";
import type { ModuleContext } from "./module_context.ts";
import type { RawInput, RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";
import { didYouMean } from "./suggest.ts";

/** One node of a level and what its inputs may refer to. */
export interface RewriteArgs {
  src: SourceFile;
  path: YamlPath;
  /** Its `operator(s)` inputs are rewritten in place. */
  node: RawNode;
  prefix: string;
  siblings: Map<string, RawNode | undefined>;
  /** Output maps of sibling modules; undefined for a broken module. */
  outputMaps: Map<string, Map<string, string> | undefined>;
  module?: ModuleContext;
  inputOrigins: Record<string, Origin>;
  /** Inputs already reported (or to be reported elsewhere). */
  brokenInputs: Set<string>;
}

/** Rewrites the inputs of one node of a level into the flat namespace. */
export function rewriteInputs(
  diagnostics: Diagnostic[],
  args: RewriteArgs,
): Record<string, RawInput> | undefined {
  const { src, path, node, prefix, siblings, outputMaps, module } = args;
  const rewrite = (
    inputs: Record<string, RawInput> | undefined,
    field: (string | number)[],
    origins: boolean,
  ) => {
    if (!inputs) return undefined;
    const out: Record<string, RawInput> = {};
    for (const [id, value] of Object.entries(inputs)) {
      const text = sourceText(value)!;
      const broken = () => {
        if (origins) args.brokenInputs.add(id);
      };
      const at = (message: string) => {
        diagnostics.push(src.at([...path, ...field, id], message));
        broken();
      };
      const slash = text.indexOf("/");
      const head = text.slice(0, slash);
      const rest = text.slice(slash + 1);
      let next: RawInput | undefined = value;
      if (head === "dora") next = value;
      else if (head === "_mod") {
        if (!module) {
          at(
            `input "${id}" of node "${prefix}${node.id}" reads "${text}", but "_mod/" only works inside a module file`,
          );
        } else {
          const r = module.port(rest, value);
          if (r === "undeclared") {
            at(
              `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${module.name}" declares no input "${rest}"${
                didYouMean(rest, module.ports)
              }`,
            );
          } else if (r === "unwired") next = undefined;
          else {
            next = r.value;
            // Checked where the module node wires it, not again here.
            broken();
          }
        }
      } else if (siblings.has(head)) {
        const map = outputMaps.get(head);
        if (outputMaps.has(head)) {
          const target = map?.get(rest);
          if (target) next = withSource(value, target);
          else if (target === "") broken(); // reported in the module
          else if (map !== undefined) {
            at(
              `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${head}" has no output "${rest}"${
                didYouMean(rest, [...map.keys()])
              }`,
            );
          } else broken();
        } else next = withSource(value, prefix + text);
      } else if (module) {
        at(
          `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${module.name}" has no node "${head}"${
            didYouMean(head, [...siblings.keys()])
          } (use _mod/<port> for the module's inputs)`,
        );
      }
      if (next !== undefined) out[id] = next;
    }
    return out;
  };
  if (node.operators) {
    node.operators = node.operators.map((op, i) => ({
      ...op,
      inputs: rewrite(op.inputs, ["operators", i, "inputs"], false),
    }));
  }
  if (node.operator) {
    node.operator = {
      ...node.operator,
      inputs: rewrite(node.operator.inputs, ["operator", "inputs"], false),
    };
  }
  return rewrite(node.inputs, ["inputs"], true);
}

function withSource(value: RawInput, source: string): RawInput {
  return typeof value === "string" ? source : { ...value, source };
}
