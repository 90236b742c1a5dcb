/**
 * The node configuration handed over by the daemon in `DORA_NODE_CONFIG`
 * (docs/protocol.md, "Connection").
 *
 * @module
 */
import { type TypesConfig, typesConfig } from "./type_check.ts";

/** One input of this node. */
export interface InputConfig {
  /** `<node>/<output>` or `dora/timer/…`. */
  source: string;
  queue_size?: number;
  queue_policy?: "drop_oldest" | "backpressure";
}

/** `DORA_NODE_CONFIG`, parsed. */
export interface NodeConfig {
  protocol: number;
  dataflow_id: string;
  node_id: string;
  socket: string;
  inputs: Record<string, InputConfig>;
  outputs: string[];
  restart_count: number;
  zero_copy_threshold: number;
  shm: boolean;
  parent_pid?: number;
  /** Runtime type checks (docs/types.md); absent when off. */
  types?: TypesConfig;
  /**
   * Where this node listens for its direct receivers' links (absent: every
   * output goes through the daemon).
   */
  listen?: string;
  /**
   * The secret of this process (started by dora): its `hello` carries it,
   * and receivers prove themselves with keys derived from it.
   */
  secret?: string;
}

/** Node start-up failed (bad configuration, daemon refused, missing permission). */
export class NodeInitError extends Error {
  /** Creates the error with a message that says what to fix. */
  constructor(message: string) {
    super(message);
    this.name = "NodeInitError";
  }
}

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      if (name === "DORA_NODE_CONFIG") throw e;
      return undefined; // optional variables are optional
    }
    throw e;
  }
}

/**
 * Parses and checks a configuration object; throws {@link NodeInitError}
 * naming the first bad field.
 */
export function parseConfig(raw: unknown): NodeConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new NodeInitError("DORA_NODE_CONFIG is not a JSON object");
  }
  const c = raw as Record<string, unknown>;
  const need = (key: string, ok: boolean, what: string) => {
    if (!ok) {
      throw new NodeInitError(
        `DORA_NODE_CONFIG: "${key}" must be ${what} (got ${
          JSON.stringify(c[key]) ?? "nothing"
        })`,
      );
    }
  };
  need("dataflow_id", typeof c.dataflow_id === "string", "a string");
  need("node_id", typeof c.node_id === "string", "a string");
  need("socket", typeof c.socket === "string", "a socket path");
  const inputs = c.inputs ?? {};
  need(
    "inputs",
    typeof inputs === "object" && !Array.isArray(inputs),
    "an object",
  );
  const outputs = c.outputs ?? [];
  need(
    "outputs",
    Array.isArray(outputs) && outputs.every((o) => typeof o === "string"),
    "a list of output ids",
  );
  let threshold = typeof c.zero_copy_threshold === "number"
    ? c.zero_copy_threshold
    : 4096;
  const env = envGet("DORA_ZERO_COPY_THRESHOLD");
  if (env !== undefined && /^\d+$/.test(env)) threshold = Number(env);
  return {
    protocol: typeof c.protocol === "number" ? c.protocol : 1,
    dataflow_id: c.dataflow_id as string,
    node_id: c.node_id as string,
    socket: c.socket as string,
    inputs: inputs as Record<string, InputConfig>,
    outputs: outputs as string[],
    restart_count: typeof c.restart_count === "number" ? c.restart_count : 0,
    zero_copy_threshold: threshold,
    shm: c.shm === true,
    parent_pid: typeof c.parent_pid === "number" ? c.parent_pid : undefined,
    ...(typesConfig(c.types) ? { types: typesConfig(c.types) } : {}),
    listen: typeof c.listen === "string" ? c.listen : undefined,
    secret: typeof c.secret === "string" ? c.secret : undefined,
  };
}

/** Reads `DORA_NODE_CONFIG`; throws {@link NodeInitError} when it is missing or malformed. */
export function configFromEnv(): NodeConfig {
  const text = envGet("DORA_NODE_CONFIG");
  if (text === undefined || text === "") {
    throw new NodeInitError(
      "DORA_NODE_CONFIG is not set: this script is a dora node, start it through a dataflow (`dora run dataflow.yml`)",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NodeInitError(
      `DORA_NODE_CONFIG is not valid JSON: ${(e as Error).message}`,
    );
  }
  return parseConfig(raw);
}
