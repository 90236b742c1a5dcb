/**
 * `DORA_RUNTIME_CONFIG`: what a runtime process needs besides its node
 * config — each operator's file, its inputs with their queues, and where each
 * of its outputs goes (operators of the same process, and whether the daemon
 * must see it). Written down in docs/operators.md.
 *
 * @module
 */
import {
  type Dataflow,
  type NodeSpec,
  operatorPort,
  type OperatorSpec,
} from "../descriptor/mod.ts";

/** How an operator is loaded. */
export type OperatorKind = "python" | "typescript" | "shared-library";

/** One receiver of an output inside the same runtime process. */
export interface InternalReceiver {
  operator: string;
  input: string;
}

/** One operator as the runtime process sees it. */
export interface RuntimeOperatorConfig {
  id: string;
  kind: OperatorKind;
  /** Absolute path of the module or shared library. */
  file: string;
  /** By the operator's own input id. */
  inputs: Record<
    string,
    { queue_size: number; queue_policy: string; source?: string }
  >;
  /** By the operator's own output id (log outputs included). */
  outputs: Record<string, { daemon: boolean; to: InternalReceiver[] }>;
  send_stdout_as?: string;
  send_logs_as?: string;
  min_log_level?: string;
}

/** The whole `DORA_RUNTIME_CONFIG` object. */
export interface RuntimeConfig {
  node_id: string;
  operators: RuntimeOperatorConfig[];
}

/** The kind of an operator (validation guarantees exactly one source). */
export function operatorKind(op: OperatorSpec): OperatorKind {
  if (op.source.python !== undefined) return "python";
  if (op.source.typescript !== undefined) return "typescript";
  return "shared-library";
}

/**
 * The runtime config of runtime node `node`; `files` maps operator ids to
 * their resolved files (see `planRuntime`).
 */
export function runtimeConfig(
  dataflow: Dataflow,
  node: NodeSpec,
  files: Map<string, string>,
): RuntimeConfig {
  const ops = node.operators ?? [];
  // Outputs other nodes read (the daemon-facing inputs of every other node).
  const external = new Set<string>();
  for (const n of dataflow.nodes) {
    if (n.id === node.id) continue;
    for (const i of n.inputs) {
      if (i.source.kind === "node" && i.source.node === node.id) {
        external.add(i.source.output);
      }
    }
  }
  const internal = new Map<string, InternalReceiver[]>();
  for (const op of ops) {
    for (const i of op.inputs) {
      if (i.source.kind !== "node" || i.source.node !== node.id) continue;
      const list = internal.get(i.source.output) ?? [];
      list.push({ operator: op.id, input: i.id });
      internal.set(i.source.output, list);
    }
  }
  return {
    node_id: node.id,
    operators: ops.map((op) => {
      const outputs: RuntimeOperatorConfig["outputs"] = {};
      const all = [op.sendStdoutAs, op.sendLogsAs, ...op.outputs]
        .filter((o): o is string => !!o);
      for (const o of all) {
        const port = operatorPort(op.id, o);
        const to = internal.get(port) ?? [];
        // Read only inside this process: it never crosses the socket.
        outputs[o] = { daemon: external.has(port) || to.length === 0, to };
      }
      const config: RuntimeOperatorConfig = {
        id: op.id,
        kind: operatorKind(op),
        file: files.get(op.id)!,
        inputs: Object.fromEntries(
          op.inputs.map((i) => [i.id, {
            queue_size: i.queueSize,
            queue_policy: i.queuePolicy,
            ...(i.source.kind === "node" ? { source: i.source.node } : {}),
          }]),
        ),
        outputs,
      };
      if (op.sendStdoutAs) config.send_stdout_as = op.sendStdoutAs;
      if (op.sendLogsAs) config.send_logs_as = op.sendLogsAs;
      if (op.minLogLevel) config.min_log_level = op.minLogLevel;
      return config;
    }),
  };
}
