/**
 * Runtime type checks of a node (`--type-check`, `DORA_RUNTIME_TYPE_CHECK`):
 * what the node sends against its outputs' types, what arrives against its
 * inputs' types. Each port remembers its verdict per Arrow type, so a
 * message of the type seen last costs one comparison.
 *
 * @module
 */
import type { DataTypeSpec, Params } from "../../../src/message/mod.ts";
import {
  describeType,
  sameType,
  typeMatches,
} from "../../../src/message/type_match.ts";

/** The type of one port, as the daemon hands it over in `DORA_NODE_CONFIG`. */
export interface PortTypeConfig {
  urn: string;
  /** Outputs: the wire type of the URN. */
  dt?: DataTypeSpec;
  /** Inputs: every wire type the static rules let in; absent = anything. */
  accepts?: DataTypeSpec[];
  /** Inputs: the sender, `node/output`. */
  from?: string;
}

/** The `types` entry of `DORA_NODE_CONFIG`. */
export interface TypesConfig {
  check: "warn" | "error";
  outputs: Record<string, PortTypeConfig>;
  inputs: Record<string, PortTypeConfig>;
}

/** A send refused by the runtime type check (`error` mode). */
export class TypeCheckError extends TypeError {
  /** Creates the error; the message names node, port, expected and actual type. */
  constructor(message: string) {
    super(message);
    this.name = "TypeCheckError";
  }
}

/** Metadata keys of pattern messages, which may multiplex several shapes. */
const PATTERN_KEYS = ["request_id", "goal_id", "goal_status"];

interface PortState {
  /** The type seen last and its verdict (the fast path). */
  last: DataTypeSpec | undefined;
  lastOk: boolean;
  /** Verdicts per type key. */
  verdicts: Map<string, boolean>;
}

/** The checks of one node. */
export class TypeGuard {
  readonly #node: string;
  readonly #config: TypesConfig;
  readonly #warn: (message: string) => void;
  readonly #sent = new Map<string, PortState>();
  readonly #received = new Map<string, PortState>();

  /** `warn` logs a mismatch (once per port and type). */
  constructor(
    node: string,
    config: TypesConfig,
    warn: (message: string) => void,
  ) {
    this.#node = node;
    this.#config = config;
    this.#warn = warn;
  }

  /**
   * Checks data of type `dt` sent on `output`; throws
   * {@link TypeCheckError} in `error` mode when it does not match.
   */
  send(output: string, dt: DataTypeSpec | undefined, params?: Params): void {
    const port = this.#config.outputs[output];
    if (port?.dt === undefined || dt === undefined || dt === "null") return;
    if (
      this.#verdict(
        this.#sent,
        output,
        dt,
        (d) => typeMatches(port.dt!, d, true),
      )
    ) {
      return;
    }
    if (params && PATTERN_KEYS.some((k) => Object.hasOwn(params, k))) return;
    const message =
      `node "${this.#node}": output "${output}" is typed ${port.urn} (${
        describeType(port.dt)
      }), but the data sent is ${describeType(dt)}`;
    if (this.#config.check === "error") throw new TypeCheckError(message);
    this.#warnOnce(`>${output}`, dt, `runtime type check: ${message}`);
  }

  /**
   * Checks data of type `dt` arriving on `input`: undefined when it may
   * pass, else the message of the `ERROR` event that replaces it (`error`
   * mode). Mismatches are logged once per input and type in `warn` mode.
   */
  receive(
    input: string,
    dt: DataTypeSpec | undefined,
    params?: Record<string, unknown>,
  ): string | undefined {
    const port = this.#config.inputs[input];
    if (port?.accepts === undefined || dt === undefined || dt === "null") {
      return undefined;
    }
    const accepts = port.accepts;
    if (
      this.#verdict(
        this.#received,
        input,
        dt,
        (d) => accepts.some((a) => typeMatches(a, d)),
      )
    ) return undefined;
    if (params && PATTERN_KEYS.some((k) => Object.hasOwn(params, k))) {
      return undefined;
    }
    const message = `node "${this.#node}": input "${input}"${
      port.from ? ` (from ${port.from})` : ""
    } is typed ${port.urn}, but received ${describeType(dt)}`;
    if (this.#config.check === "error") return message;
    this.#warnOnce(`<${input}`, dt, `runtime type check: ${message}`);
    return undefined;
  }

  #verdict(
    ports: Map<string, PortState>,
    port: string,
    dt: DataTypeSpec,
    matches: (dt: DataTypeSpec) => boolean,
  ): boolean {
    let state = ports.get(port);
    if (state === undefined) {
      state = { last: undefined, lastOk: false, verdicts: new Map() };
      ports.set(port, state);
    }
    if (
      dt === state.last ||
      (typeof dt === "object" && state.last !== undefined &&
        sameType(dt, state.last))
    ) return state.lastOk;
    const typeKey = typeof dt === "string" ? dt : JSON.stringify(dt);
    let ok = state.verdicts.get(typeKey);
    if (ok === undefined) {
      ok = matches(dt);
      state.verdicts.set(typeKey, ok);
    }
    state.last = dt;
    state.lastOk = ok;
    return ok;
  }

  readonly #warned = new Set<string>();
  #warnOnce(port: string, dt: DataTypeSpec, message: string): void {
    const key = `${port} ${typeof dt === "string" ? dt : JSON.stringify(dt)}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn(message);
  }
}

/** The type-check settings of a node configuration, if any. */
export function typesConfig(raw: unknown): TypesConfig | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const t = raw as Partial<TypesConfig>;
  if (t.check !== "warn" && t.check !== "error") return undefined;
  return {
    check: t.check,
    outputs: typeof t.outputs === "object" && t.outputs ? t.outputs : {},
    inputs: typeof t.inputs === "object" && t.inputs ? t.inputs : {},
  };
}
