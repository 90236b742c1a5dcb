/**
 * The resolved dataflow: what the runtime consumes after parsing, module
 * expansion and validation. Every field has its default applied.
 *
 * @module
 */
import type { DataTypeSpec } from "../message/layout_types.ts";
import type { LogLevel } from "../logs/levels.ts";
import type { NodeParams } from "./node_params.ts";
import type { ZenohNodeSpec } from "./zenoh_node.ts";
export type { LogLevel, ZenohNodeSpec };

/** Where an input's messages come from. */
export type InputSource =
  | { kind: "node"; node: string; output: string }
  | { kind: "timer"; intervalNs: bigint; text: string }
  | { kind: "logs"; level?: LogLevel; node?: string };

/** How an input's queue behaves when it is full. */
export type QueuePolicy = "drop_oldest" | "backpressure";

/** A node input with its queue settings. */
export interface InputSpec {
  id: string;
  /** The source as written in the descriptor, e.g. `camera/image`. */
  sourceText: string;
  source: InputSource;
  queueSize: number;
  queuePolicy: QueuePolicy;
  /** Circuit-breaker timeout in seconds. */
  inputTimeout?: number;
}

export type RestartPolicy = "never" | "on-failure" | "always";

/** Deno permission names a node may widen or narrow. */
export type PermissionName =
  | "read"
  | "write"
  | "net"
  | "env"
  | "run"
  | "ffi"
  | "sys";
export type Permissions = Partial<Record<PermissionName, boolean | string[]>>;

/** The type of one port as the runtime and code generators see it. */
export interface PortType {
  /** The URN as written (or inferred). */
  urn: string;
  /** Its wire data type, when the URN resolves. */
  dt?: DataTypeSpec;
  /** Inputs: every wire data type the static rules let in; absent = anything (Bytes). */
  accepts?: DataTypeSpec[];
  /** Inputs: the upstream output the type was inferred from. */
  inferredFrom?: string;
}

/** The typed ports of one node (plain nodes; operators are not run). */
export interface NodePortTypes {
  outputs: Record<string, PortType>;
  inputs: Record<string, PortType>;
  /** Metadata keys each output's messages must carry (`output_metadata`, `pattern`, the type's own). */
  metadata: Record<string, string[]>;
}

/** A node ready to be spawned. */
export interface NodeSpec {
  id: string;
  name?: string;
  description?: string;
  /** Executable, script, `dynamic`, `shell` or a URL, as written. */
  path: string;
  /** Raw `args` string (split shell-style by the spawner). */
  args?: string;
  /** Dataflow-level env merged with node-level env (node wins). */
  env: Record<string, string>;
  build?: string;
  /** Expected SHA-256 (hex) of a URL `path`'s download. */
  pathSha256?: string;
  /**
   * The node's own folder when it is not the dataflow's (its git clone):
   * its working directory and the base of its relative `path`.
   */
  workingDir?: string;
  git?: { url: string; branch?: string; tag?: string; rev?: string };
  inputs: InputSpec[];
  outputs: string[];
  restartPolicy: RestartPolicy;
  maxRestarts: number;
  restartDelay?: number;
  maxRestartDelay?: number;
  restartWindow?: number;
  healthCheckTimeout?: number;
  minLogLevel?: LogLevel;
  sendStdoutAs?: string;
  sendLogsAs?: string;
  /** Bytes (default 50 MiB); undefined = never rotated (`max_log_size: 0`). */
  maxLogSize?: number;
  maxRotatedFiles: number;
  deploy?: {
    machine?: string;
    labels?: Record<string, string>;
    workingDir?: string;
    distribute?: "local" | "scp" | "http";
  };
  permissions?: Permissions;
  /**
   * The operators of a runtime node (`kind: "runtime"`). The node's own
   * `inputs` are then the operators' inputs fed from outside the node, as
   * `<operator>/<input>`, and its `outputs` every `<operator>/<output>`;
   * inputs between operators of the node never reach the daemon.
   */
  operators?: OperatorSpec[];
  /** Written as `operator:` (one operator, id `op` by default): `node/output` reaches it. */
  singleOperator?: boolean;
  /** For nodes expanded from a module: the module node id. */
  module?: string;
  /** `custom` = a process to spawn; `runtime` = a runtime process hosting `operators`. */
  kind?: "custom" | "runtime";
  /** Grace period (seconds) after all inputs closed. */
  finishGraceSecs?: number;
  /** Seconds the node has to connect to the daemon (`startup_timeout`). */
  startupTimeout?: number;
  /** CPU cores to pin the node to (Linux). */
  cpuAffinity?: number[];
  /** Initial runtime parameters (`params:`), key → JSON value. */
  params?: NodeParams;
  /** Type annotations per output/input id (URNs as written). */
  outputTypes?: Record<string, string>;
  inputTypes?: Record<string, string>;
  /** Resolved port types (annotated or inferred), for runtime type checks. */
  types?: NodePortTypes;
  /** Enclosing module ids, outermost first (for graphs). */
  modules?: string[];
  /**
   * A built-in zenoh node (`zenoh:`; `path` is then `dora/zenoh/sub` or
   * `dora/zenoh/pub`): exactly one of `subscribe` and `publish`.
   */
  zenoh?: ZenohNodeSpec;
}

/** One operator of a runtime node. */
export interface OperatorSpec {
  id: string;
  /** Exactly one source, as written (relative to the dataflow's folder). */
  source: {
    python?: string;
    typescript?: string;
    /** As written, without the platform's prefix and suffix (`build/op`). */
    sharedLibrary?: string;
    wasm?: string;
  };
  /** Inputs by their own id; node sources use the full output id (`node/op/out`). */
  inputs: InputSpec[];
  outputs: string[];
  name?: string;
  description?: string;
  build?: string;
  /** Conda environment of a Python operator (`python: {source, conda_env}`). */
  condaEnv?: string;
  /** Output (of this operator) carrying each line it prints. */
  sendStdoutAs?: string;
  /** Output (of this operator) carrying its log records as JSON. */
  sendLogsAs?: string;
  minLogLevel?: LogLevel;
}

/** A whole dataflow after expansion. */
export interface Dataflow {
  /** Absolute path of the YAML file. */
  path: string;
  /** Folder of the YAML file: the nodes' working directory. */
  workingDir: string;
  nodes: NodeSpec[];
  /** Seconds; default 5. */
  healthCheckInterval: number;
  /** Seconds every node has to connect (`startup_timeout`); default: env or 30. */
  startupTimeout?: number;
  debug: { publishAllMessages: boolean };
  /** Type warnings are errors. */
  strictTypes?: boolean;
  /**
   * Runtime type checks in the node APIs (`--type-check`,
   * `DORA_RUNTIME_TYPE_CHECK`); set by the command that starts the dataflow.
   * `off` overrides the variable in the runtime's environment.
   */
  typeCheck?: "warn" | "error" | "off";
  /**
   * Reload Python and TypeScript operators when their files change
   * (`--hot-reload`); set by the command that starts the dataflow.
   */
  hotReload?: boolean;
  /**
   * The flat descriptor as written (modules expanded): what nodes get from
   * `dataflow_descriptor()`.
   */
  descriptor?: Record<string, unknown>;
  /** Python nodes run with `uv run python` (`dora start --uv`). */
  uv?: boolean;
  /** Timer inputs do not keep a node alive once its data inputs closed. */
  exitWhenNodesFinish?: boolean;
}
