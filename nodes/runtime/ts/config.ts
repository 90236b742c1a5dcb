/**
 * `DORA_RUNTIME_CONFIG`, as the daemon writes it (src/operators): the
 * operators of this runtime node, their inputs, and where each output goes.
 *
 * @module
 */

/** One receiver of an output inside this process. */
export interface InternalReceiver {
  operator: string;
  input: string;
}

/** Queue settings of one operator input. */
export interface OperatorInputConfig {
  queue_size: number;
  queue_policy: "drop_oldest" | "backpressure";
  /** The node the input reads from (absent for timers and logs). */
  source?: string;
}

/** One operator. */
export interface OperatorConfig {
  id: string;
  kind: "python" | "typescript" | "shared-library";
  /** Absolute path of the module or library. */
  file: string;
  inputs: Record<string, OperatorInputConfig>;
  /** `daemon`: other nodes read it; `to`: operators of this process read it. */
  outputs: Record<string, { daemon: boolean; to: InternalReceiver[] }>;
  send_stdout_as?: string;
  send_logs_as?: string;
  min_log_level?: string;
}

/** The whole runtime config. */
export interface RuntimeConfig {
  node_id: string;
  operators: OperatorConfig[];
}

/** Reads `DORA_RUNTIME_CONFIG`; throws a message saying what is wrong. */
export function runtimeConfigFromEnv(): RuntimeConfig {
  const raw = Deno.env.get("DORA_RUNTIME_CONFIG");
  if (raw === undefined) {
    throw new Error(
      "DORA_RUNTIME_CONFIG is not set: this is dora's operator runtime; `dora run` starts it for nodes with `operator:` or `operators:`",
    );
  }
  let config: RuntimeConfig;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    throw new Error(`DORA_RUNTIME_CONFIG is not valid JSON: ${e}`);
  }
  if (!config || !Array.isArray(config.operators)) {
    throw new Error("DORA_RUNTIME_CONFIG has no operator list");
  }
  return config;
}
