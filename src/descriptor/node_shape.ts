/**
 * Checks on one node that need no other node: exactly one source kind, the
 * fields each kind allows, git options, operator sources.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import type { RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";

const KIND_FIELDS = ["path", "operator", "operators", "module"] as const;
const COMMON = [
  "id",
  "name",
  "description",
  "env",
  "deploy",
  "_unstable_deploy",
];
const ALLOWED: Record<string, string[]> = {
  module: [...COMMON, "module", "inputs", "params", "build"],
  operator: [...COMMON, "operator", "cpu_affinity"],
  operators: [...COMMON, "operators", "cpu_affinity"],
};
const PATH_ONLY_NOT = ["params"];

/** Problems with the shape of one (schema-valid) node. */
export function checkNodeShape(
  src: SourceFile,
  path: YamlPath,
  node: RawNode,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (field: (string | number)[], message: string, key = true) =>
    out.push(src.at([...path, ...field], message, { key }));
  const present = KIND_FIELDS.filter((k) => node[k] !== undefined);
  if (present.length === 0) {
    at(
      ["id"],
      `node "${node.id}" needs one of "path", "operator", "operators" or "module"`,
    );
  } else if (present.length > 1) {
    at(
      [present[1]!],
      `node "${node.id}" sets both "${present[0]}" and "${
        present[1]
      }" (a node has exactly one of "path", "operator", "operators" or "module")`,
    );
  }
  const kind = present[0];
  const set = Object.keys(node).filter((k) =>
    (node as Record<string, unknown>)[k] !== undefined
  );
  if (kind && present.length === 1) {
    const allowed = ALLOWED[kind];
    const bad = allowed
      ? set.filter((k) => !allowed.includes(k))
      : set.filter((k) => PATH_ONLY_NOT.includes(k));
    for (const k of bad) {
      at(
        [k],
        `field "${k}" is not allowed on ${
          kind === "path" ? "path" : kind
        } node "${node.id}"${
          k === "params" ? ' ("params" only applies to module nodes)' : ""
        }`,
      );
    }
  }
  const refs = (["branch", "tag", "rev"] as const).filter((k) =>
    node[k] !== undefined
  );
  if (refs.length > 0 && node.git === undefined) {
    at([refs[0]!], `"${refs[0]}" needs a "git" source in node "${node.id}"`);
  }
  if (refs.length > 1) {
    at(
      [refs[1]!],
      `only one of "branch", "tag" and "rev" may be set in node "${node.id}"`,
    );
  }
  if (node.git !== undefined && kind !== "path") {
    at(
      ["git"],
      `"git" needs a "path" (inside the repository) in node "${node.id}"`,
    );
  }
  if (node.deploy !== undefined && node._unstable_deploy !== undefined) {
    at(
      ["_unstable_deploy"],
      `node "${node.id}" sets both "deploy" and "_unstable_deploy" (use one)`,
    );
  }
  if (node.path_sha256 !== undefined && !/^https?:\/\//.test(node.path ?? "")) {
    at(
      ["path_sha256"],
      `"path_sha256" needs a URL "path" in node "${node.id}"`,
    );
  }
  const ops = node.operators ??
    (node.operator ? [{ ...node.operator, id: node.operator.id ?? "op" }] : []);
  const opIds = new Set<string>();
  ops.forEach((op, i) => {
    const field = node.operators ? ["operators", i] : ["operator"];
    const name = node.operators ? `operator "${op.id}"` : "operator";
    if (opIds.has(op.id)) {
      at(
        [...field, "id"],
        `duplicate operator id "${op.id}" in node "${node.id}"`,
        false,
      );
    }
    opIds.add(op.id);
    const sources = (["python", "shared-library", "wasm"] as const).filter((
      k,
    ) => op[k] !== undefined);
    if (sources.length !== 1) {
      at(
        sources.length ? [...field, sources[1]!] : field,
        `${name} of node "${node.id}" needs exactly one of "python", "shared-library" or "wasm"`,
        sources.length > 0,
      );
    }
  });
  if (node.operators && node.operators.length === 0) {
    at(["operators"], `node "${node.id}" lists no operators`);
  }
  return out;
}
