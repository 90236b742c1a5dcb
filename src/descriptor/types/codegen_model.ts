/**
 * What the code generators (`dora types generate`) need from an analysed
 * dataflow: every node that runs a script, the wire type of each of its
 * ports, the named types those use (dependencies first) and the metadata
 * keys each output must carry.
 *
 * @module
 */
import type { DataTypeSpec } from "../../message/layout_types.ts";
import type { FlatNode } from "../flat.ts";
import { parseInputSource } from "../input_source.ts";
import type { NodePortTypes } from "../model.ts";
import { sourceText } from "../flat.ts";
import type { TypeLibrary } from "./library.ts";
import { parseUrn, shortName } from "./urn.ts";

/** A named type the generated code declares. */
export interface NamedType {
  urn: string;
  /** Identifier, unique in the generated file. */
  name: string;
  dt: DataTypeSpec;
  description?: string;
}

/** One port of a node. */
export interface PortModel {
  id: string;
  /** How the data arrives: from a node, a timer (empty Null arrays) or dora/logs (strings). */
  kind: "data" | "timer" | "logs";
  urn?: string;
  dt?: DataTypeSpec;
  /** Where an inferred input type came from. */
  inferredFrom?: string;
}

/** One node that runs a script. */
export interface NodeModel {
  id: string;
  path: string;
  description?: string;
  inputs: PortModel[];
  outputs: PortModel[];
  /** Output id → metadata keys its messages carry. */
  metadata: Record<string, string[]>;
}

/** Everything a generator writes about. */
export interface CodegenModel {
  types: NamedType[];
  nodes: NodeModel[];
}

/** Builds the model from the expanded nodes and their port types. */
export function codegenModel(
  nodes: readonly FlatNode[],
  ports: ReadonlyMap<string, NodePortTypes>,
  library: TypeLibrary,
): CodegenModel {
  const models: NodeModel[] = [];
  const used = new Set<string>();
  for (const node of nodes) {
    const raw = node.raw;
    if (node.partial || raw.operator || raw.operators || raw.module) continue;
    const p = ports.get(node.id);
    const inputs: PortModel[] = Object.entries(raw.inputs ?? {}).map(
      ([id, value]) => {
        const text = sourceText(value);
        const parsed = text === undefined ? undefined : parseInputSource(text);
        if (parsed?.ok && parsed.source.kind === "timer") {
          return { id, kind: "timer" };
        }
        if (parsed?.ok && parsed.source.kind === "logs") {
          return { id, kind: "logs", urn: "std/core/v1/String", dt: "utf8" };
        }
        const t = p?.inputs[id];
        if (t?.dt !== undefined) used.add(t.urn);
        return {
          id,
          kind: "data",
          ...(t?.dt !== undefined ? { urn: t.urn, dt: t.dt } : {}),
          ...(t?.inferredFrom ? { inferredFrom: t.inferredFrom } : {}),
        };
      },
    );
    const outputs: PortModel[] = (raw.outputs ?? []).map((id) => {
      const t = p?.outputs[id];
      if (t?.dt !== undefined) used.add(t.urn);
      return {
        id,
        kind: "data",
        ...(t?.dt !== undefined ? { urn: t.urn, dt: t.dt } : {}),
      };
    });
    models.push({
      id: node.id,
      path: raw.path ?? "",
      ...(raw.description ? { description: raw.description } : {}),
      inputs,
      outputs,
      metadata: p?.metadata ?? {},
    });
  }
  return { types: namedTypes(used, library), nodes: models };
}

/** The struct and list types behind `urns`, dependencies first, with unique names. */
function namedTypes(urns: Set<string>, library: TypeLibrary): NamedType[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (urn: string) => {
    const base = urn.split("[")[0]!.trim();
    if (seen.has(base)) return;
    seen.add(base);
    const def = library.get(base);
    if (!def) return;
    for (const f of def.fields) {
      let e = library.fieldExpr(def, f.type);
      while (e?.kind === "list") e = e.item;
      if (e?.kind === "ref") visit(e.name);
    }
    if (def.arrow.startsWith("List")) {
      let e = library.fieldExpr(def, def.arrow);
      while (e?.kind === "list") e = e.item;
      if (e?.kind === "ref") visit(e.name);
    }
    const dt = library.dataType(base);
    if (dt !== undefined && typeof dt !== "string") order.push(base);
  };
  for (const urn of [...urns].sort()) visit(urn);
  const counts = new Map<string, number>();
  for (const urn of order) {
    counts.set(shortName(urn), (counts.get(shortName(urn)) ?? 0) + 1);
  }
  return order.map((urn) => {
    const def = library.get(urn)!;
    const parsed = parseUrn(urn);
    const name = counts.get(def.name)! > 1 && typeof parsed !== "string"
      ? pascal(`${parsed.pkg}/${def.name}`)
      : def.name;
    return {
      urn,
      name,
      dt: library.dataType(urn)!,
      ...(def.description ? { description: def.description } : {}),
    };
  });
}

/** `acme/geo/v1/Vector3` → `AcmeGeoV1Vector3`. */
function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) =>
    w[0]!.toUpperCase() + w.slice(1)
  ).join("");
}
