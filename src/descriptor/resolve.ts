/**
 * Turns the validated flat nodes into the model the runtime consumes, with
 * every default applied.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { fieldOrigin, type FlatNode } from "./flat.ts";
import { parseInputSource } from "./input_source.ts";
import type {
  Dataflow,
  InputSpec,
  LogLevel,
  NodePortTypes,
  NodeSpec,
  OperatorSpec,
} from "./model.ts";
import type {
  RawDataflow,
  RawEnv,
  RawInput,
  RawNode,
  RawOperator,
} from "./schema.ts";
import { parseByteSize } from "./units.ts";
import {
  resolveOperatorAliases,
  runtimeInputs,
  runtimeOutputs,
} from "./operators.ts";
import type { NodeParams } from "./node_params.ts";
import { ZENOH_PUB_PATH, ZENOH_SUB_PATH } from "./zenoh_node.ts";

/** Default per-input queue size. */
export const DEFAULT_QUEUE_SIZE = 10;

/** Default `max_log_size`: 50 MiB (with 5 rotated files, 300 MiB per node). */
export const DEFAULT_MAX_LOG_SIZE = 50 * 1024 * 1024;

/** Builds the resolved dataflow; unresolvable host env vars become warnings. */
export function resolveDataflow(
  abs: string,
  workingDir: string,
  root: RawDataflow,
  nodes: FlatNode[],
  warnings: Diagnostic[],
  ports: ReadonlyMap<string, NodePortTypes> = new Map(),
): Dataflow {
  const globalEnv = resolveEnv(root.env, (name) =>
    warnings.push({
      file: nodes[0]?.origin.src.file ?? abs,
      line: 1,
      column: 1,
      message: `host variable "${name}" (for the dataflow env) is not set`,
      severity: "warning",
    }));
  const specs = nodes.map((n) => {
    const spec = resolveNode(n, globalEnv, warnings);
    const types = ports.get(n.id);
    if (
      types && (Object.keys(types.outputs).length ||
        Object.keys(types.inputs).length ||
        Object.keys(types.metadata).length)
    ) spec.types = types;
    return spec;
  });
  resolveOperatorAliases(specs);
  for (const spec of specs) {
    if (spec.kind === "runtime") spec.inputs = runtimeInputs(spec);
  }
  return {
    path: abs,
    workingDir,
    nodes: specs,
    healthCheckInterval: root.health_check_interval ?? 5,
    ...(root.startup_timeout !== undefined
      ? { startupTimeout: root.startup_timeout }
      : {}),
    debug: {
      publishAllMessages: root._unstable_debug?.publish_all_messages_to_zenoh ??
        root.debug?.enable_debug_inspection ?? false,
    },
    strictTypes: root.strict_types ?? false,
    exitWhenNodesFinish: root.exit_when_nodes_finish ?? false,
    descriptor: {
      ...(root as Record<string, unknown>),
      nodes: nodes.map((n) => n.raw),
    },
  };
}

function resolveNode(
  node: FlatNode,
  globalEnv: Record<string, string>,
  warnings: Diagnostic[],
): NodeSpec {
  const raw = node.raw;
  const env = {
    ...globalEnv,
    ...resolveEnv(raw.env, (name) =>
      warnings.push(
        node.origin.src.at(
          [...node.origin.path, "env"],
          `host variable "${name}" (for env of node "${node.id}") is not set`,
          { severity: "warning" },
        ),
      )),
  };
  const deploy = raw.deploy ?? raw._unstable_deploy;
  const single = raw.operator
    ? [{ ...raw.operator, id: raw.operator.id ?? "op" }]
    : undefined;
  const operators = raw.operators ?? single;
  const spec: NodeSpec = {
    id: node.id,
    path: raw.path ?? "",
    env,
    inputs: resolveInputs(raw.inputs, node),
    outputs: raw.outputs ?? [],
    restartPolicy: raw.restart_policy ?? "never",
    maxRestarts: raw.max_restarts ?? 0,
    maxRotatedFiles: raw.max_rotated_files ?? 5,
    kind: operators ? "runtime" : "custom",
  };
  const opt = <K extends keyof NodeSpec>(k: K, v: NodeSpec[K] | undefined) => {
    if (v !== undefined) spec[k] = v;
  };
  opt("name", raw.name);
  opt("description", raw.description);
  opt("args", raw.args);
  opt("build", raw.build);
  opt("pathSha256", raw.path_sha256);
  if (raw.git !== undefined) {
    spec.git = { url: raw.git };
    if (raw.branch !== undefined) spec.git.branch = raw.branch;
    if (raw.tag !== undefined) spec.git.tag = raw.tag;
    if (raw.rev !== undefined) spec.git.rev = raw.rev;
  }
  opt("restartDelay", raw.restart_delay);
  opt("maxRestartDelay", raw.max_restart_delay);
  opt("restartWindow", raw.restart_window);
  opt("healthCheckTimeout", raw.health_check_timeout);
  opt("finishGraceSecs", raw.finish_grace_secs);
  opt("startupTimeout", raw.startup_timeout);
  opt("minLogLevel", raw.min_log_level as LogLevel | undefined);
  opt("sendStdoutAs", raw.send_stdout_as);
  opt("sendLogsAs", raw.send_logs_as);
  // A default keeps a chatty node from filling the disk; 0 = never rotate.
  const logSize = raw.max_log_size === undefined
    ? DEFAULT_MAX_LOG_SIZE
    : parseByteSize(raw.max_log_size);
  opt("maxLogSize", logSize === 0 ? undefined : logSize);
  opt("cpuAffinity", raw.cpu_affinity);
  if (raw.params && Object.keys(raw.params).length) {
    spec.params = raw.params as NodeParams;
  }
  opt("outputTypes", raw.output_types);
  opt("inputTypes", raw.input_types);
  if (deploy) {
    spec.deploy = {};
    if (deploy.machine !== undefined) spec.deploy.machine = deploy.machine;
    if (deploy.labels !== undefined) spec.deploy.labels = deploy.labels;
    if (deploy.working_dir !== undefined) {
      spec.deploy.workingDir = deploy.working_dir;
    }
    if (deploy.distribute !== undefined) {
      spec.deploy.distribute = deploy.distribute;
    }
  }
  opt("permissions", raw.permissions);
  if (raw.zenoh) {
    spec.path = raw.zenoh.subscribe !== undefined
      ? ZENOH_SUB_PATH
      : ZENOH_PUB_PATH;
    spec.zenoh = { ...raw.zenoh };
  }
  if (operators) {
    spec.operators = operators.map((op) => resolveOperator(op, node));
    spec.outputs = runtimeOutputs(spec.operators);
    if (raw.operator) spec.singleOperator = true;
    // The node has one log file: an operator may size it.
    for (const op of operators) {
      if (op.max_log_size !== undefined) {
        spec.maxLogSize = parseByteSize(op.max_log_size);
      }
      if (op.max_rotated_files !== undefined) {
        spec.maxRotatedFiles = op.max_rotated_files;
      }
    }
  }
  if (node.modules.length) {
    spec.module = node.modules.at(-1);
    spec.modules = node.modules;
  }
  return spec;
}

function resolveOperator(
  op: RawOperator & { id: string },
  node: FlatNode,
): OperatorSpec {
  const source: OperatorSpec["source"] = {};
  if (op.python !== undefined) {
    source.python = typeof op.python === "string"
      ? op.python
      : op.python.source;
  }
  if (op["shared-library"] !== undefined) {
    source.sharedLibrary = op["shared-library"];
  }
  if (op.typescript !== undefined) source.typescript = op.typescript;
  if (op.wasm !== undefined) source.wasm = op.wasm;
  const spec: OperatorSpec = {
    id: op.id,
    source,
    inputs: resolveInputs(op.inputs, node),
    outputs: op.outputs ?? [],
  };
  if (op.name !== undefined) spec.name = op.name;
  if (op.description !== undefined) spec.description = op.description;
  if (op.build !== undefined) spec.build = op.build;
  if (typeof op.python === "object" && op.python.conda_env !== undefined) {
    spec.condaEnv = op.python.conda_env;
  }
  if (op.send_stdout_as !== undefined) spec.sendStdoutAs = op.send_stdout_as;
  if (op.send_logs_as !== undefined) spec.sendLogsAs = op.send_logs_as;
  if (op.min_log_level !== undefined) {
    spec.minLogLevel = op.min_log_level as LogLevel;
  }
  return spec;
}

function resolveInputs(
  inputs: Record<string, RawInput> | undefined,
  node: FlatNode,
): InputSpec[] {
  return Object.entries(inputs ?? {}).map(([id, value]) => {
    const long = typeof value === "string" ? undefined : value;
    const text = typeof value === "string" ? value : value.source;
    const parsed = parseInputSource(text);
    if (!parsed.ok) {
      throw new Error(
        `unvalidated input ${id} of ${fieldOrigin(node).src.file}`,
      );
    }
    const spec: InputSpec = {
      id,
      sourceText: text,
      source: parsed.source,
      queueSize: long?.queue_size ?? DEFAULT_QUEUE_SIZE,
      queuePolicy: long?.queue_policy ?? "drop_oldest",
    };
    if (long?.input_timeout !== undefined) {
      spec.inputTimeout = long.input_timeout;
    }
    return spec;
  });
}

/**
 * Env values as strings: numbers and booleans stringified, `{__dora_env: X}`
 * read from the host, `$VAR`/`${VAR}` expanded from the host when set.
 */
export function resolveEnv(
  env: RawEnv | undefined,
  missing: (name: string) => void,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) {
    if (typeof v === "object") {
      const value = Deno.env.get(v.__dora_env);
      if (value === undefined) missing(v.__dora_env);
      out[k] = value ?? "";
    } else if (typeof v === "string") {
      out[k] = v.replace(
        /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (m, a?: string, b?: string) => Deno.env.get((a ?? b)!) ?? m,
      );
    } else out[k] = String(v);
  }
  return out;
}

export type { RawNode };
