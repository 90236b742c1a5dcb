/**
 * dora node API for TypeScript. Node scripts import it as `"dora"` (the
 * daemon runs them with an import map that points there).
 *
 * @example
 * ```ts
 * import { Node } from "dora";
 * const node = await Node.init();
 * for await (const event of node) {
 *   if (event.type === "INPUT") {
 *     await node.sendOutput("out", event.value, { key: 1 });
 *   } else if (event.type === "STOP") {
 *     node.log("info", "stopping", { cause: event.cause });
 *   }
 * }
 * ```
 *
 * @module
 */
export {
  type LogLevel,
  Node,
  type NodeInitOptions,
  resolveDynamicConfig,
} from "./node.ts";
export type {
  ErrorEvent,
  Event,
  InputClosedEvent,
  InputEvent,
  InputRecoveredEvent,
  NodeFailedEvent,
  NodeRestartedEvent,
  ParamDeletedEvent,
  ParamUpdateEvent,
  StopEvent,
} from "./events.ts";
export {
  type DoraOperator,
  DoraStatus,
  type OperatorEvent,
  type SendOutput,
} from "./operator.ts";
export {
  type InputConfig,
  type NodeConfig,
  NodeInitError,
  parseConfig,
} from "./config.ts";
export { TypeCheckError } from "./type_check.ts";
export {
  type AnyType,
  type JsValue,
  type Ports,
  type SendValue,
  type TimerTick,
  type TypedEvent,
  typedInit,
  type TypedInputEvent,
  type TypedNode,
  vectorOf,
} from "./typed.ts";
export type {
  Metadata,
  Params,
  ParamValue,
  SendableValue,
  StopCause,
} from "../../../src/message/mod.ts";
