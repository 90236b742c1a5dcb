/**
 * What the runtime hands each node for its type checks: the mode
 * (`--type-check`, `DORA_RUNTIME_TYPE_CHECK`) and the `types` entry of
 * `DORA_NODE_CONFIG` (docs/protocol.md).
 *
 * @module
 */
import type { DataTypeSpec } from "../../message/layout_types.ts";
import type { Dataflow, NodeSpec } from "../model.ts";

/** The runtime type check modes. */
export type TypeCheckMode = "warn" | "error";

/** The environment variable that turns runtime type checks on. */
export const TYPE_CHECK_ENV = "DORA_RUNTIME_TYPE_CHECK";

/**
 * Reads a mode as `DORA_RUNTIME_TYPE_CHECK` or `--type-check` spell it:
 * `warn` (or `1`, `true`, `on`), `error`, or off (`0`, `false`, `off`,
 * empty); `undefined` when unset, `{ invalid }` for anything else.
 *
 * @example
 * ```ts
 * parseTypeCheckMode("1"); // "warn"
 * parseTypeCheckMode("off"); // "off"
 * ```
 */
export function parseTypeCheckMode(
  text: string | undefined,
): TypeCheckMode | "off" | undefined | { invalid: string } {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === "error") return "error";
  if (["warn", "1", "true", "on"].includes(t)) return "warn";
  if (["", "0", "false", "off"].includes(t)) return "off";
  return { invalid: text };
}

/**
 * The mode of one node: its own `env` entry wins, then the dataflow's
 * (`--type-check`, the CLI's environment), then the runtime's environment.
 */
export function typeCheckModeFor(
  spec: NodeSpec,
  dataflow: Pick<Dataflow, "typeCheck">,
  processEnv: string | undefined,
): TypeCheckMode | undefined {
  for (
    const value of [
      parseTypeCheckMode(spec.env[TYPE_CHECK_ENV]),
      dataflow.typeCheck,
      parseTypeCheckMode(processEnv),
    ]
  ) {
    if (value === "off") return undefined;
    if (value === "warn" || value === "error") return value;
  }
  return undefined;
}

/** The `types` entry of a node's `DORA_NODE_CONFIG` (absent: no checks). */
export interface NodeTypesConfig {
  check: TypeCheckMode;
  outputs: Record<string, { urn: string; dt: DataTypeSpec }>;
  inputs: Record<
    string,
    { urn: string; accepts: DataTypeSpec[]; from: string }
  >;
}

/** The `types` entry for `spec`, or undefined when it has nothing to check. */
export function nodeTypesConfig(
  spec: NodeSpec,
  mode: TypeCheckMode | undefined,
): NodeTypesConfig | undefined {
  if (mode === undefined || spec.types === undefined) return undefined;
  const outputs: NodeTypesConfig["outputs"] = {};
  for (const [id, port] of Object.entries(spec.types.outputs)) {
    if (port.dt !== undefined) outputs[id] = { urn: port.urn, dt: port.dt };
  }
  const inputs: NodeTypesConfig["inputs"] = {};
  for (const [id, port] of Object.entries(spec.types.inputs)) {
    const input = spec.inputs.find((i) => i.id === id);
    // Bytes accepts anything; timers and logs are not checked at run time.
    if (port.accepts === undefined || input?.source.kind !== "node") continue;
    inputs[id] = {
      urn: port.urn,
      accepts: port.accepts,
      from: input.sourceText,
    };
  }
  if (!Object.keys(outputs).length && !Object.keys(inputs).length) {
    return undefined;
  }
  return { check: mode, outputs, inputs };
}
