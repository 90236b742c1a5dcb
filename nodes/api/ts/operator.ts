/**
 * TypeScript operators: a module run inside a runtime node (`operator:` /
 * `operators:` with `typescript: file.ts` in the dataflow) instead of as a
 * process of its own. It exports `class Operator` (or a default object) with
 * `onEvent(event, sendOutput)` returning a {@link DoraStatus}.
 *
 * @example
 * ```ts
 * import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
 *
 * export class Operator {
 *   count = 0;
 *   onEvent(event: OperatorEvent, sendOutput: SendOutput): DoraStatus {
 *     if (event.type === "INPUT") {
 *       this.count++;
 *       sendOutput("count", [this.count], event.metadata.parameters);
 *     }
 *     return DoraStatus.CONTINUE;
 *   }
 * }
 * ```
 *
 * @module
 */
import type { Params, SendableValue } from "../../../src/message/mod.ts";
import type { Event } from "./events.ts";

/** What `onEvent` returns (the original's values). */
export const DoraStatus = {
  /** Keep going. */
  CONTINUE: 0,
  /** This operator is done: its outputs close, the others keep running. */
  STOP: 1,
  /** Stop the whole dataflow. */
  STOP_ALL: 2,
} as const;
/** What `onEvent` returns (the original's values). */
export type DoraStatus = typeof DoraStatus[keyof typeof DoraStatus];

/**
 * The events an operator sees: the node events with the operator's own ids
 * (`INPUT` `id` is the operator's input id), and `RELOAD` is never delivered
 * (a reload replaces the instance).
 */
export type OperatorEvent = Event;

/**
 * Sends `value` on the operator's output `id` (the id as declared under the
 * operator's `outputs:`). Other operators of the same node get it at once,
 * in-process; other nodes through the daemon. The value is copied at once.
 * The returned promise (when there is one) resolves once a receiver's full
 * `backpressure` queue has room again and the socket took the data: an
 * `async` operator that sends in a loop awaits it; ignoring it is allowed
 * (a full queue then drops its oldest message and says so).
 */
export type SendOutput = (
  id: string,
  value: SendableValue,
  parameters?: Params,
) => void | Promise<void>;

/** The shape of an operator (a class instance or a default-exported object). */
export interface DoraOperator {
  onEvent(
    event: OperatorEvent,
    sendOutput: SendOutput,
  ): DoraStatus | void | Promise<DoraStatus | void>;
  /** Called once when the operator stops (optional). */
  drop?(): void | Promise<void>;
}
