/**
 * The dataflow descriptor schema, written once with zod: it gives the
 * TypeScript types of the raw YAML, the structural validation (types, unknown
 * keys, ranges) and the JSON Schema editors use (`dora-schema.json`).
 *
 * @module
 */
import { z } from "zod";
import { dataIdProblem, nodeIdProblem } from "./ids.ts";
import { LOG_LEVELS, parseInputSource } from "./input_source.ts";
import { parseByteSize } from "./units.ts";

const seconds = (what: string) =>
  z.number().min(0).describe(`${what}, in seconds (finite, ≥ 0)`);

const nodeId = z.string().superRefine((id, ctx) => {
  const problem = nodeIdProblem(id);
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
  }
});

const dataId = z.string().superRefine((id, ctx) => {
  const problem = dataIdProblem(id);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const source = z.string().superRefine((text, ctx) => {
  const parsed = parseInputSource(text);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.message });
}).describe(
  "<node>/<output>, dora/timer/{secs,millis,micros,nanos}/N, dora/timer/hz/F or dora/logs[/<level>[/<node>]]",
);

/** Queue policies of an input. */
export const QUEUE_POLICIES = ["drop_oldest", "backpressure"] as const;
/** Restart policies of a node. */
export const RESTART_POLICIES = ["never", "on-failure", "always"] as const;

/** An input in long form. */
export const LongInputSchema = z.strictObject({
  source,
  queue_size: z.int().min(1).optional().describe(
    "input buffer size (default 10)",
  ),
  queue_policy: z.enum(QUEUE_POLICIES).optional().describe(
    "drop_oldest (default) or backpressure",
  ),
  input_timeout: seconds("circuit-breaker timeout").optional(),
});

/** An input: `node/output` or the long form. */
export const InputSchema = z.union([source, LongInputSchema], {
  error:
    "must be a source such as node/output, or a mapping with source, queue_size, queue_policy and input_timeout",
});

const inputs = z.record(dataId, InputSchema).describe(
  "inputs: <input id>: <source> or {source, queue_size, queue_policy, input_timeout}",
);
const outputs = z.array(dataId).describe("output ids this node sends");
const typeMap = (what: "output" | "input") =>
  z.record(z.string(), z.string()).describe(
    `type of each ${what}: <${what} id>: <type URN>, e.g. std/core/v1/Float64 or std/media/v1/AudioFrame[sample_type=f32] (see docs/types.md)`,
  );
/** Communication patterns and the metadata keys each implies on every output. */
export const PATTERNS = {
  "service-server": ["request_id"],
  "service-client": ["request_id"],
  "action-server": ["goal_id", "goal_status"],
  "action-client": ["goal_id"],
} as const satisfies Record<string, readonly string[]>;
const outputMetadata = z.record(z.string(), z.array(z.string())).describe(
  "metadata keys every message of an output carries: <output id>: [key, ...]",
);
const pattern = z.string().describe(
  `communication pattern, implies metadata keys on the outputs: ${
    Object.keys(PATTERNS).join(", ")
  }`,
);

const byteSize = z.union([z.string(), z.int().min(0)], {
  error: 'must be a size such as "50MB" or a number of bytes',
}).superRefine((v, ctx) => {
  if (parseByteSize(v) === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${
        JSON.stringify(v)
      } is not a size (expected e.g. "50MB", "512KB" or a number of bytes)`,
    });
  }
});

// Case-insensitive like the original (`INFO` = `info`).
const logLevel = z.preprocess(
  (v) => typeof v === "string" ? v.toLowerCase() : v,
  z.enum(LOG_LEVELS as [string, ...string[]]),
);

/** Environment values: scalars, or `{__dora_env: HOST_VAR}`. */
export const EnvSchema = z.record(
  z.string(),
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.strictObject({ __dora_env: z.string() }),
  ], { error: "must be a string, number, boolean or {__dora_env: HOST_VAR}" }),
);

/** Where a node runs. */
export const DeploySchema = z.strictObject({
  machine: z.string().optional().describe("target machine/daemon id"),
  working_dir: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  distribute: z.enum(["local", "scp", "http"]).optional(),
});

const permission = z.union([z.boolean(), z.array(z.string())], {
  error: "must be true, false or a list of strings",
});

/** Deno permissions of a TypeScript node. */
export const PermissionsSchema = z.strictObject({
  read: permission.optional(),
  write: permission.optional(),
  net: permission.optional(),
  env: permission.optional(),
  run: permission.optional(),
  ffi: permission.optional(),
  sys: permission.optional(),
}).describe("Deno permissions of a TypeScript node (true, false or a list)");

const operatorFields = {
  name: z.string().optional(),
  description: z.string().optional(),
  inputs: inputs.optional(),
  outputs: outputs.optional(),
  build: z.string().optional(),
  python: z.union([
    z.string(),
    z.strictObject({ source: z.string(), conda_env: z.string().optional() }),
  ], { error: "must be a file name or {source, conda_env}" }).optional(),
  typescript: z.string().optional().describe(
    "TypeScript/JavaScript module exporting an `Operator` class",
  ),
  "shared-library": z.string().optional(),
  wasm: z.string().optional(),
  send_stdout_as: dataId.optional(),
  send_logs_as: dataId.optional(),
  min_log_level: logLevel.optional(),
  max_log_size: byteSize.optional(),
  max_rotated_files: z.int().min(1).max(100).optional(),
  output_types: typeMap("output").optional(),
  input_types: typeMap("input").optional(),
  output_metadata: outputMetadata.optional(),
  pattern: pattern.optional(),
};

/** A single operator (`operator:`); its id defaults to `op`. */
export const OperatorSchema = z.strictObject({
  id: dataId.optional(),
  ...operatorFields,
});
/** One operator of `operators:`; the id is required. */
export const NamedOperatorSchema = z.strictObject({
  id: dataId,
  ...operatorFields,
});

/** A built-in zenoh node (`zenoh:`): a zenoh key into the dataflow, or out of it. */
export const ZenohNodeSchema = z.strictObject({
  subscribe: z.string().optional().describe(
    "dora/zenoh/sub: key expression to subscribe to (* and ** allowed); every sample becomes a message on the node's one output",
  ),
  publish: z.string().optional().describe(
    "dora/zenoh/pub: key every input is published on (KEY for one input, KEY/<input id> for several)",
  ),
  endpoint: z.string().optional().describe(
    "the zenoh-bridge-remote-api WebSocket, ws/HOST:PORT (default: the daemon's, or ws/127.0.0.1:10000)",
  ),
}).describe(
  "a built-in zenoh node instead of a path: {subscribe: KEYEXPR} or {publish: KEY} (see docs/zenoh.md)",
);

/** A node of the dataflow. */
export const NodeSchema = z.strictObject({
  id: nodeId.describe("unique node id: [A-Za-z0-9_.-], not starting with '.'"),
  name: z.string().optional(),
  description: z.string().optional(),
  path: z.string().optional().describe(
    "executable or script; dynamic, shell or a URL",
  ),
  path_sha256: z.string().optional(),
  git: z.string().optional().describe("git repository to build from"),
  branch: z.string().optional(),
  tag: z.string().optional(),
  rev: z.string().optional(),
  build: z.string().optional().describe("shell command(s) to build the node"),
  args: z.string().optional().describe("command-line arguments"),
  env: EnvSchema.optional(),
  inputs: inputs.optional(),
  outputs: outputs.optional(),
  output_types: typeMap("output").optional(),
  input_types: typeMap("input").optional(),
  output_metadata: outputMetadata.optional(),
  pattern: pattern.optional(),
  restart_policy: z.enum(RESTART_POLICIES).optional(),
  max_restarts: z.int().min(0).optional().describe("0 = unlimited"),
  restart_delay: seconds("initial restart backoff").optional(),
  max_restart_delay: seconds("restart backoff cap").optional(),
  restart_window: seconds("restart counter reset window").optional(),
  health_check_timeout: seconds("kill after this much inactivity").optional(),
  finish_grace_secs: seconds("grace after inputs close").optional(),
  startup_timeout: seconds(
    "time the node has to connect to the daemon (overrides the dataflow's)",
  ).optional(),
  min_log_level: logLevel.optional(),
  send_stdout_as: dataId.optional(),
  send_logs_as: dataId.optional(),
  max_log_size: byteSize.optional(),
  max_rotated_files: z.int().min(1).max(100).optional(),
  cpu_affinity: z.array(z.int().min(0)).optional(),
  deploy: DeploySchema.optional(),
  _unstable_deploy: DeploySchema.optional(),
  permissions: PermissionsSchema.optional(),
  operator: OperatorSchema.optional(),
  operators: z.array(NamedOperatorSchema).optional(),
  module: z.string().optional().describe("module file to expand here"),
  zenoh: ZenohNodeSchema.optional(),
  params: z.record(z.string(), z.json()).optional().describe(
    "path nodes: initial runtime parameters, <key>: <any JSON value> (see docs/dynamic.md); module nodes: <key>: <string, number or boolean> substituted into the module",
  ),
});

/** The whole dataflow file. */
export const DataflowSchema = z.strictObject({
  nodes: z.array(NodeSchema).min(1),
  env: EnvSchema.optional(),
  health_check_interval: z.number().gt(0).optional().describe(
    "health check sweep interval in seconds (default 5)",
  ),
  startup_timeout: seconds(
    "time every node has to connect to the daemon (default 30 or DORA_STARTUP_TIMEOUT)",
  ).optional(),
  strict_types: z.boolean().optional().describe(
    "type problems are errors (validate, build, run and start refuse the dataflow)",
  ),
  exit_when_nodes_finish: z.boolean().optional(),
  type_rules: z.array(z.strictObject({
    from: z.string().describe("type URN whose data may flow..."),
    to: z.string().describe("...into inputs of this type URN"),
  })).optional().describe(
    "extra type compatibilities, e.g. {from: myproject/sensors/v1/Reading, to: myproject/sensors/v2/Reading}",
  ),
  deploy: DeploySchema.optional(),
  _unstable_deploy: DeploySchema.optional(),
  debug: z.strictObject({ enable_debug_inspection: z.boolean().optional() })
    .optional(),
  _unstable_debug: z.strictObject({
    publish_all_messages_to_zenoh: z.boolean().optional(),
  }).optional(),
});

/** A module file (`module:` header plus nodes). */
export const ModuleFileSchema = z.strictObject({
  module: z.strictObject({
    name: z.string(),
    inputs: z.array(dataId).optional(),
    inputs_optional: z.array(dataId).optional(),
    outputs: z.array(dataId).optional(),
  }),
  build: z.string().optional(),
  nodes: z.array(NodeSchema).min(1),
});

export type RawDataflow = z.infer<typeof DataflowSchema>;
export type RawNode = z.infer<typeof NodeSchema>;
export type RawInput = z.infer<typeof InputSchema>;
export type RawLongInput = z.infer<typeof LongInputSchema>;
export type RawOperator = z.infer<typeof OperatorSchema>;
export type RawModuleFile = z.infer<typeof ModuleFileSchema>;
export type RawEnv = z.infer<typeof EnvSchema>;

/** Every key a node may have. */
export const NODE_KEYS: readonly string[] = Object.keys(NodeSchema.shape);
