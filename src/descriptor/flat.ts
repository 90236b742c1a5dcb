/** The flat node list modules expand into, with where each part was written. @module */
import type { RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";

/** Where something was written. */
export interface Origin {
  src: SourceFile;
  path: YamlPath;
}

/** A node after module expansion. */
export interface FlatNode {
  /** Full id, e.g. `pipeline.doubler`. */
  id: string;
  /** The node with inputs, paths, env, args and build rewritten. */
  raw: RawNode;
  /** Where the node was written. */
  origin: Origin;
  /** Inputs wired through a module port point at the parent's wiring. */
  inputOrigins: Record<string, Origin>;
  /** Inputs already reported as broken (not checked again). */
  brokenInputs: Set<string>;
  /** Enclosing module node ids, outermost first. */
  modules: string[];
  /** The node failed validation: only its wiring is checked. */
  partial?: boolean;
}

/** Where input `id` of `node` was written. */
export function inputOrigin(node: FlatNode, id: string): Origin {
  return Object.hasOwn(node.inputOrigins, id)
    ? node.inputOrigins[id]!
    : { src: node.origin.src, path: [...node.origin.path, "inputs", id] };
}

/** Where field `field` of `node` was written. */
export function fieldOrigin(
  node: FlatNode,
  ...field: (string | number)[]
): Origin {
  return { src: node.origin.src, path: [...node.origin.path, ...field] };
}

/** The source text of an input value (short or long form). */
export function sourceText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "source" in value) {
    const s = (value as { source: unknown }).source;
    return typeof s === "string" ? s : undefined;
  }
  return undefined;
}

/** The kind of a node, from the one source field it sets. */
export function nodeKind(
  raw: RawNode,
): "path" | "operator" | "operators" | "module" | "zenoh" | undefined {
  if (raw.module !== undefined) return "module";
  if (raw.zenoh !== undefined) return "zenoh";
  if (raw.operators !== undefined) return "operators";
  if (raw.operator !== undefined) return "operator";
  if (raw.path !== undefined) return "path";
  return undefined;
}

/**
 * The outputs of a node as inputs must address them: `out` for plain nodes,
 * `op/out` for operator nodes.
 */
export function addressableOutputs(raw: RawNode): string[] {
  // `send_stdout_as` / `send_logs_as` name outputs too (declared or not).
  const routed = (o: { send_stdout_as?: string; send_logs_as?: string }) =>
    [o.send_stdout_as, o.send_logs_as].filter((x): x is string => !!x);
  const unique = (list: string[]) => [...new Set(list)];
  if (raw.operators) {
    return unique(
      raw.operators.flatMap((op) =>
        [...op.outputs ?? [], ...routed(op)].map((o) => `${op.id}/${o}`)
      ),
    );
  }
  if (raw.operator) {
    const op = raw.operator;
    const id = op.id ?? "op";
    return unique(
      [...op.outputs ?? [], ...routed(op)].map((o) => `${id}/${o}`),
    );
  }
  return unique([...raw.outputs ?? [], ...routed(raw)]);
}
