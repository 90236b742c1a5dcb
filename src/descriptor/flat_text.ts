/**
 * The flat form of a dataflow: its YAML with every module expanded into
 * plain nodes (what `dora expand` prints). A coordinator keeps it as the
 * current graph of a running dataflow, and changes at run time are checked
 * against it.
 *
 * @module
 */
import { stringify } from "yaml";
import type { Analysis } from "./load.ts";

/** The flat dataflow of `analysis` as a plain object. */
export function flatData(
  analysis: Pick<Analysis, "data" | "nodes">,
): Record<string, unknown> {
  return { ...analysis.data, nodes: analysis.nodes.map((n) => n.raw) };
}

/** `data` as YAML text (no line folding). */
export function yamlText(data: unknown): string {
  return stringify(data, { lineWidth: 0 });
}
