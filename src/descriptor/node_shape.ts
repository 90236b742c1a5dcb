/**
 * Checks on one node that need no other node: exactly one source kind, the
 * fields each kind allows, git options, operator sources.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { paramKeyProblem, paramValueProblem } from "./node_params.ts";
import type { RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";
import {
  keyExprProblem,
  wsEndpointProblem,
  ZENOH_PUB_PATH,
  ZENOH_SUB_PATH,
} from "./zenoh_node.ts";

const KIND_FIELDS = [
  "path",
  "operator",
  "operators",
  "module",
  "zenoh",
] as const;
const COMMON = [
  "id",
  "name",
  "description",
  "env",
  "deploy",
  "_unstable_deploy",
];
/** What a runtime node (operators) has besides its operators: it is one process. */
const RUNTIME = [
  ...COMMON,
  "cpu_affinity",
  "permissions",
  "restart_policy",
  "max_restarts",
  "restart_delay",
  "max_restart_delay",
  "restart_window",
  "health_check_timeout",
  "finish_grace_secs",
  "startup_timeout",
];
const ALLOWED: Record<string, string[]> = {
  module: [...COMMON, "module", "inputs", "params", "build"],
  operator: [...RUNTIME, "operator"],
  operators: [...RUNTIME, "operators"],
  zenoh: [
    ...RUNTIME.filter((k) => k !== "permissions" && k !== "cpu_affinity"),
    "zenoh",
    "inputs",
    "outputs",
    "output_types",
    "input_types",
    "min_log_level",
    "max_log_size",
    "max_rotated_files",
  ],
};
/** Operator source keys. */
const OP_SOURCES = ["python", "typescript", "shared-library", "wasm"] as const;
/** Operator fields that are settings of the whole runtime node's log file. */
const NODE_LOG_FIELDS = ["max_log_size", "max_rotated_files"] as const;

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
      `node "${node.id}" needs one of "path", "operator", "operators", "module" or "zenoh"`,
    );
  } else if (present.length > 1) {
    at(
      [present[1]!],
      `node "${node.id}" sets both "${present[0]}" and "${
        present[1]
      }" (a node has exactly one of "path", "operator", "operators", "module" or "zenoh")`,
    );
  }
  const kind = present[0];
  const set = Object.keys(node).filter((k) =>
    (node as Record<string, unknown>)[k] !== undefined
  );
  if (kind && present.length === 1) {
    const allowed = ALLOWED[kind];
    const bad = allowed ? set.filter((k) => !allowed.includes(k)) : [];
    for (const k of bad) {
      at(
        [k],
        `field "${k}" is not allowed on ${
          kind === "path" ? "path" : kind
        } node "${node.id}"${
          k === "params" ? ' ("params" applies to path and module nodes)' : ""
        }`,
      );
    }
  }
  if (kind === "zenoh" && present.length === 1) {
    out.push(...checkZenohNode(src, path, node));
  }
  if (
    kind === "path" &&
    (node.path === ZENOH_SUB_PATH || node.path === ZENOH_PUB_PATH)
  ) {
    at(
      ["path"],
      `path "${node.path}" of node "${node.id}" is a built-in node: write \`zenoh: {${
        node.path === ZENOH_SUB_PATH ? "subscribe: KEYEXPR" : "publish: KEY"
      }}\` instead of "path"`,
      false,
    );
  }
  for (const [key, value] of Object.entries(node.params ?? {})) {
    if (kind === "module") {
      if (!["string", "number", "boolean"].includes(typeof value)) {
        at(
          ["params", key],
          `param "${key}" of module node "${node.id}" must be a string, number or boolean (it is substituted into the module)`,
          false,
        );
      }
      continue;
    }
    const keyProblem = paramKeyProblem(key);
    if (keyProblem) at(["params", key], `${keyProblem} (node "${node.id}")`);
    const valueProblem = paramValueProblem(value);
    if (valueProblem) {
      at(
        ["params", key],
        `param "${key}" of node "${node.id}": ${valueProblem}`,
        false,
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
  const languages = new Map<string, string>();
  const logFields = new Map<string, string>();
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
    const sources = OP_SOURCES.filter((k) => op[k] !== undefined);
    if (sources.length !== 1) {
      at(
        sources.length ? [...field, sources[1]!] : field,
        `${name} of node "${node.id}" needs exactly one of "python", "typescript", "shared-library" or "wasm"`,
        sources.length > 0,
      );
      return;
    }
    const source = sources[0]!;
    if (source === "wasm") {
      at(
        [...field, "wasm"],
        `${name} of node "${node.id}": wasm operators are not supported (use "python", "typescript" or "shared-library")`,
      );
      return;
    }
    // Python operators run in a Python process; TypeScript and C ones in Deno.
    const runtime = source === "python" ? "Python" : "Deno";
    const other = [...languages].find(([, r]) => r !== runtime);
    if (other) {
      at(
        [...field, source],
        `${name} of node "${node.id}" is ${source}, but operator "${
          other[0]
        }" of the same node runs in the ${
          other[1]
        } runtime: one node is one process, so put Python operators and TypeScript/shared-library operators in separate nodes`,
      );
    }
    languages.set(op.id, runtime);
    for (const key of NODE_LOG_FIELDS) {
      if (op[key] === undefined) continue;
      const first = logFields.get(key);
      if (first !== undefined) {
        at(
          [...field, key],
          `"${key}" is set by operators "${first}" and "${op.id}" of node "${node.id}": the node has one log file, set it on one operator only`,
        );
      } else logFields.set(key, op.id);
    }
  });
  if (
    node.permissions?.ffi === false && ops.some((op) => op["shared-library"])
  ) {
    at(
      ["permissions", "ffi"],
      `node "${node.id}" loads shared-library operators, which need FFI: remove "ffi: false"`,
    );
  }
  if (node.operators && node.operators.length === 0) {
    at(["operators"], `node "${node.id}" lists no operators`);
  }
  return out;
}

/** The fields of a built-in zenoh node: one direction, its key, its ports. */
function checkZenohNode(
  src: SourceFile,
  path: YamlPath,
  node: RawNode,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (field: (string | number)[], message: string, key = true) =>
    out.push(src.at([...path, ...field], message, { key }));
  const z = node.zenoh!;
  const name = `zenoh node "${node.id}"`;
  if (z.subscribe !== undefined && z.publish !== undefined) {
    at(
      ["zenoh", "publish"],
      `${name} sets both "subscribe" and "publish" (one direction per node: use two nodes)`,
    );
    return out;
  }
  if (z.subscribe === undefined && z.publish === undefined) {
    at(
      ["zenoh"],
      `${name} needs "subscribe: KEYEXPR" (zenoh into the dataflow) or "publish: KEY" (out to zenoh)`,
    );
    return out;
  }
  if (z.endpoint !== undefined) {
    const problem = wsEndpointProblem(z.endpoint);
    if (problem) at(["zenoh", "endpoint"], `${problem} (${name})`, false);
  }
  const inputs = Object.keys(node.inputs ?? {});
  const outputs = node.outputs ?? [];
  if (z.subscribe !== undefined) {
    const problem = keyExprProblem(z.subscribe, true);
    if (problem) at(["zenoh", "subscribe"], `${problem} (${name})`, false);
    if (outputs.length !== 1) {
      at(
        node.outputs ? ["outputs"] : ["zenoh", "subscribe"],
        `${name} subscribes to "${z.subscribe}": it needs exactly one output to send the samples on (e.g. \`outputs: [data]\`)`,
        !node.outputs,
      );
    }
    if (inputs.length > 0) {
      at(
        ["inputs"],
        `${name} subscribes to zenoh: it has no inputs (its messages come from zenoh)`,
      );
    }
  } else {
    const problem = keyExprProblem(z.publish!, false);
    if (problem) at(["zenoh", "publish"], `${problem} (${name})`, false);
    if (inputs.length === 0) {
      at(
        ["zenoh", "publish"],
        `${name} publishes on "${z.publish}": it needs at least one input to publish`,
      );
    }
    if (outputs.length > 0) {
      at(
        ["outputs"],
        `${name} publishes to zenoh: it has no outputs (its messages go to zenoh)`,
      );
    }
  }
  return out;
}
