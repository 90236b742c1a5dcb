/**
 * Per-node validation of a `nodes` list, so that one bad node does not hide
 * the problems of the others.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { checkNodeShape } from "./node_shape.ts";
import { NodeSchema, type RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";

/**
 * Each node of `rawNodes` that passes the schema and the shape checks
 * (undefined otherwise); shape problems are pushed to `diagnostics`.
 */
export function validNodes(
  src: SourceFile,
  rawNodes: unknown[],
  diagnostics: Diagnostic[],
  pathOf: (i: number) => YamlPath = (i) => ["nodes", i],
): (RawNode | undefined)[] {
  return rawNodes.map((r, i) => {
    const p = NodeSchema.safeParse(r);
    if (!p.success) return undefined;
    const problems = checkNodeShape(src, pathOf(i), p.data);
    diagnostics.push(...problems);
    return problems.some((d) => d.severity === "error") ? undefined : p.data;
  });
}
