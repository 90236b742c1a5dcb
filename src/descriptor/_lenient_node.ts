/**
 * A stand-in for a node that failed validation.
 *
 * @module
 */
import { sourceText } from "./flat.ts";
import { parseInputSource } from "./input_source.ts";
import type { RawInput, RawNode } from "./schema.ts";

/**
 * The id, inputs and outputs of a node that failed validation, so that its
 * wiring is still checked (and its reads count) without cascading errors.
 */
export function lenientNode(raw: unknown): RawNode | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== "string" || r.module !== undefined) return undefined;
  const inputs: Record<string, RawInput> = {};
  if (r.inputs && typeof r.inputs === "object" && !Array.isArray(r.inputs)) {
    for (const [k, v] of Object.entries(r.inputs)) {
      const text = sourceText(v);
      if (text === undefined || !parseInputSource(text).ok) continue;
      inputs[k] = text;
    }
  }
  const outputs = Array.isArray(r.outputs)
    ? r.outputs.filter((o): o is string => typeof o === "string")
    : [];
  return { id: r.id, inputs, outputs };
}
