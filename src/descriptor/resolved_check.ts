/**
 * Checking a resolved dataflow that arrives over the network: `dora start`
 * resolves the YAML on the client and sends the model, so the coordinator
 * must not trust it. The shape is checked field by field (types, ranges, no
 * unknown keys) and the wiring like the loader does (valid and unique ids,
 * inputs that read an existing output, positive timer intervals).
 *
 * A new `NodeSpec` or `Dataflow` field must be added here too (see
 * docs/dev/adding-a-descriptor-field.md); a test runs every example through
 * this check, so a forgotten field fails there first.
 *
 * @module
 */
import { z } from "zod";
import { LOG_LEVELS } from "../logs/levels.ts";
import { dataIdProblem, nodeIdProblem } from "./ids.ts";
import type { Dataflow } from "./model.ts";
import { paramKeyProblem, paramValueProblem } from "./node_params.ts";
import { QUEUE_POLICIES, RESTART_POLICIES } from "./schema.ts";

/** A resolved dataflow that does not have the model's shape or wiring. */
export class InvalidDataflowError extends Error {
  /** One line per problem, `<field path>: <problem>`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    const shown = problems.slice(0, 10);
    const more = problems.length - shown.length;
    super(
      `invalid dataflow: ${shown.join("; ")}${
        more > 0 ? `; and ${more} more` : ""
      }`,
    );
    this.name = "InvalidDataflowError";
    this.problems = problems;
  }
}

const seconds = z.number().finite().min(0);
const count = z.number().int().min(0);
const text = z.string();

const source = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("node"), node: text, output: text }).strict(),
  z.object({
    kind: z.literal("timer"),
    intervalNs: z.bigint().positive(),
    text,
  }).strict(),
  z.object({
    kind: z.literal("logs"),
    level: z.enum(LOG_LEVELS as [string, ...string[]]).optional(),
    node: text.optional(),
  }).strict(),
]);

const input = z.object({
  id: text,
  sourceText: text,
  source,
  queueSize: z.number().int().min(1),
  queuePolicy: z.enum(QUEUE_POLICIES),
  inputTimeout: seconds.optional(),
}).strict();

const permissionValue = z.union([z.boolean(), z.array(text)]);
const permissions = z.object({
  read: permissionValue.optional(),
  write: permissionValue.optional(),
  net: permissionValue.optional(),
  env: permissionValue.optional(),
  run: permissionValue.optional(),
  ffi: permissionValue.optional(),
  sys: permissionValue.optional(),
}).strict();

const portType = z.object({
  urn: text,
  dt: z.unknown().optional(),
  accepts: z.array(z.unknown()).optional(),
  inferredFrom: text.optional(),
}).strict();

const operator = z.object({
  id: text,
  source: z.object({
    python: text.optional(),
    typescript: text.optional(),
    sharedLibrary: text.optional(),
    wasm: text.optional(),
  }).strict(),
  inputs: z.array(input),
  outputs: z.array(text),
  name: text.optional(),
  description: text.optional(),
  build: text.optional(),
  condaEnv: text.optional(),
  sendStdoutAs: text.optional(),
  sendLogsAs: text.optional(),
  minLogLevel: z.enum(LOG_LEVELS as [string, ...string[]]).optional(),
}).strict();

const node = z.object({
  id: text,
  name: text.optional(),
  description: text.optional(),
  path: text,
  args: text.optional(),
  env: z.record(text, text),
  build: text.optional(),
  pathSha256: text.optional(),
  workingDir: text.optional(),
  git: z.object({
    url: text,
    branch: text.optional(),
    tag: text.optional(),
    rev: text.optional(),
  }).strict().optional(),
  inputs: z.array(input),
  outputs: z.array(text),
  restartPolicy: z.enum(RESTART_POLICIES),
  maxRestarts: count,
  restartDelay: seconds.optional(),
  maxRestartDelay: seconds.optional(),
  restartWindow: seconds.optional(),
  healthCheckTimeout: seconds.optional(),
  minLogLevel: z.enum(LOG_LEVELS as [string, ...string[]]).optional(),
  sendStdoutAs: text.optional(),
  sendLogsAs: text.optional(),
  maxLogSize: z.number().int().positive().optional(),
  maxRotatedFiles: count,
  deploy: z.object({
    machine: text.optional(),
    labels: z.record(text, text).optional(),
    workingDir: text.optional(),
    distribute: z.enum(["local", "scp", "http"]).optional(),
  }).strict().optional(),
  permissions: permissions.optional(),
  operators: z.array(operator).optional(),
  singleOperator: z.boolean().optional(),
  module: text.optional(),
  kind: z.enum(["custom", "runtime"]).optional(),
  finishGraceSecs: seconds.optional(),
  startupTimeout: seconds.optional(),
  cpuAffinity: z.array(count).optional(),
  outputTypes: z.record(text, text).optional(),
  inputTypes: z.record(text, text).optional(),
  types: z.object({
    outputs: z.record(text, portType),
    inputs: z.record(text, portType),
    metadata: z.record(text, z.array(text)),
  }).strict().optional(),
  modules: z.array(text).optional(),
  params: z.record(z.string(), z.json()).superRefine((params, ctx) => {
    for (const [key, value] of Object.entries(params)) {
      const problem = paramKeyProblem(key) ?? paramValueProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }
  }).optional(),
  zenoh: z.object({
    subscribe: text.optional(),
    publish: text.optional(),
    endpoint: text.optional(),
  }).strict().optional(),
}).strict();

const dataflow = z.object({
  path: text,
  workingDir: text,
  nodes: z.array(node).min(1),
  healthCheckInterval: z.number().finite().positive(),
  startupTimeout: seconds.optional(),
  debug: z.object({ publishAllMessages: z.boolean() }).strict(),
  strictTypes: z.boolean().optional(),
  typeCheck: z.enum(["warn", "error", "off"]).optional(),
  hotReload: z.boolean().optional(),
  exitWhenNodesFinish: z.boolean().optional(),
  // The flat descriptor as written, for the nodes' dataflow_descriptor().
  descriptor: z.record(text, z.unknown()).optional(),
  uv: z.boolean().optional(),
}).strict();

/** `nodes[0].inputs[1].source` from a zod path. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || "descriptor";
}

/**
 * Checks `value` (a decoded resolved dataflow from a client) and returns it
 * typed; throws {@link InvalidDataflowError} listing every problem with its
 * field path.
 *
 * @example
 * ```ts
 * try {
 *   checkResolvedDataflow({ nodes: [] });
 * } catch (err) {
 *   // invalid dataflow: path: Invalid input: expected string, received undefined; …
 * }
 * ```
 */
export function checkResolvedDataflow(value: unknown): Dataflow {
  const parsed = dataflow.safeParse(value);
  if (!parsed.success) {
    throw new InvalidDataflowError(
      parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`),
    );
  }
  const df = value as Dataflow;
  const problems = wiringProblems(df);
  if (problems.length) throw new InvalidDataflowError(problems);
  return df;
}

/** Ids, duplicates and input sources, as the loader checks them. */
function wiringProblems(df: Dataflow): string[] {
  const problems: string[] = [];
  const outputs = new Map<string, Set<string>>();
  df.nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    const idProblem = nodeIdProblem(n.id);
    if (idProblem) problems.push(`${at}.id: "${n.id}" ${idProblem}`);
    else if (outputs.has(n.id)) {
      problems.push(`${at}.id: duplicate node id "${n.id}"`);
    }
    const own = new Set(
      [...n.outputs, n.sendStdoutAs, n.sendLogsAs].filter((o): o is string =>
        o !== undefined
      ),
    );
    n.outputs.forEach((o, j) => {
      const p = dataIdProblem(o);
      if (p) problems.push(`${at}.outputs[${j}]: "${o}" ${p}`);
    });
    if (!outputs.has(n.id)) outputs.set(n.id, own);
  });
  df.nodes.forEach((n, i) => {
    const ids = new Set<string>();
    n.inputs.forEach((input, j) => {
      const at = `nodes[${i}].inputs[${j}]`;
      const p = dataIdProblem(input.id);
      if (p) problems.push(`${at}.id: "${input.id}" ${p}`);
      else if (ids.has(input.id)) {
        problems.push(`${at}.id: duplicate input id "${input.id}"`);
      }
      ids.add(input.id);
      const s = input.source;
      if (s.kind !== "node") return;
      const from = outputs.get(s.node);
      if (!from) {
        problems.push(`${at}.source: there is no node "${s.node}"`);
      } else if (!from.has(s.output)) {
        problems.push(
          `${at}.source: node "${s.node}" has no output "${s.output}"`,
        );
      }
    });
  });
  return problems;
}
