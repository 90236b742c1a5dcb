/**
 * Typed nodes: `dora types generate` writes, for each node of a dataflow, the
 * Arrow type of every input and output; {@link TypedNode} turns those into
 * signatures, so `node.sendOutput("pose", value)` and `event.value` are
 * checked by `deno check` and completed by the editor.
 *
 * @example
 * ```ts
 * // types.ts was written by `dora types generate dataflow.yml -o types.ts`
 * import { initNode, Vector3 } from "./types.ts";
 * import { vectorOf } from "dora";
 * const node = await initNode("planner");
 * for await (const event of node) {
 *   if (event.type === "INPUT" && event.id === "goal") {
 *     const goal = event.value.get(0); // { x: number, y: number, z: number }
 *     await node.sendOutput("target", vectorOf(Vector3, [goal!.toJSON()]));
 *   }
 * }
 * ```
 *
 * @module
 */
import {
  type Binary,
  type Bool,
  type Data,
  type DataType,
  type DateDay,
  type DateMillisecond,
  type Float16,
  type Float32,
  type Float64,
  type Int16,
  type Int32,
  type Int64,
  type Int8,
  type LargeBinary,
  type LargeList,
  type LargeUtf8,
  type List,
  type Null,
  type Struct,
  type Uint16,
  type Uint32,
  type Uint64,
  type Uint8,
  type Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type {
  ErrorEvent,
  InputRecoveredEvent,
  NodeFailedEvent,
  NodeRestartedEvent,
  ParamDeletedEvent,
  ParamUpdateEvent,
  StopEvent,
} from "./events.ts";
import type { InputEvent } from "./events.ts";
import { NodeInitError } from "./config.ts";
import { Node, type NodeInitOptions } from "./node.ts";
import type { Params, ParamValue } from "../../../src/message/mod.ts";

/**
 * An untyped port: any Arrow type.
 */
// deno-lint-ignore no-explicit-any
export type AnyType = any;

/** The typed ports of one node, as written by `dora types generate`. */
export interface Ports {
  /** Arrow type each input delivers (`AnyType` when not annotated). */
  inputs: Record<string, DataType>;
  /** Arrow type each output sends (`AnyType` when not annotated). */
  outputs: Record<string, DataType>;
  /** Metadata keys each output's messages must carry. */
  metadata: Record<string, string>;
}

type IsAny<T> = 0 extends (1 & T) ? true : false;

/** The plain JavaScript value of one element of an Arrow type (for {@link vectorOf}). */
export type JsValue<T extends DataType> = IsAny<T> extends true ? unknown
  : T extends Bool ? boolean
  : T extends Int64 | Uint64 ? bigint
  : T extends
    | Int8
    | Int16
    | Int32
    | Uint8
    | Uint16
    | Uint32
    | Float16
    | Float32
    | Float64 ? number
  : T extends Utf8 | LargeUtf8 ? string
  : T extends Binary | LargeBinary ? Uint8Array
  : T extends DateDay | DateMillisecond ? Date
  : T extends LargeList<infer I> | List<infer I> ? JsValue<I>[]
  : T extends Struct<infer F> ? { [K in keyof F]: JsValue<F[K]> | null }
  : unknown;

/** Everything `sendOutput` accepts for an output of Arrow type `T`. */
export type SendValue<T extends DataType> = IsAny<T> extends true
  ? import("../../../src/message/mod.ts").SendableValue
  :
    | Vector<T>
    | Data<T>
    | (T extends Float64 ? number | number[] | Float64Array
      : T extends Float32 ? Float32Array
      : T extends Int64 ? bigint | bigint[] | BigInt64Array
      : T extends Uint64 ? BigUint64Array
      : T extends Int32 ? Int32Array
      : T extends Uint32 ? Uint32Array
      : T extends Int16 ? Int16Array
      : T extends Uint16 ? Uint16Array
      : T extends Int8 ? Int8Array
      : T extends Uint8 ? Uint8Array
      : T extends Bool ? boolean | boolean[]
      : T extends Utf8 | LargeUtf8 ? string | string[]
      // Raw bytes go out as a UInt8 array, which Bytes outputs accept.
      : T extends Binary | LargeBinary ? Uint8Array | ArrayBuffer
      : never);

type InputId<P extends Ports> = keyof P["inputs"] & string;
type OutputId<P extends Ports> = keyof P["outputs"] & string;

/** An input event whose `id` tells the type of `value`. */
export type TypedInputEvent<P extends Ports> = {
  [K in InputId<P>]:
    & Omit<InputEvent, "id" | "value" | "retain">
    & {
      id: K;
      /** The data; a timer tick is an empty Null vector. */
      value: Vector<P["inputs"][K]>;
      retain(): TypedInputEvent<P>;
    };
}[InputId<P>];

/** Any event of a typed node's stream. */
export type TypedEvent<P extends Ports> =
  | TypedInputEvent<P>
  | { type: "INPUT_CLOSED"; id: InputId<P> }
  | InputRecoveredEvent & { id: InputId<P> }
  | NodeRestartedEvent
  | NodeFailedEvent & { inputs: InputId<P>[] }
  | StopEvent
  | ErrorEvent
  | ParamUpdateEvent
  | ParamDeletedEvent;

/** The `params` argument: required when the output's messages must carry metadata keys. */
type ParamsArg<P extends Ports, K extends string> = K extends
  keyof P["metadata"]
  ? [params: Params & { [M in P["metadata"][K] & string]: ParamValue }]
  : [params?: Params];

/** A {@link Node} whose ports are typed by `P`. */
export interface TypedNode<P extends Ports> extends
  Omit<
    Node,
    | "sendOutput"
    | "recv"
    | "allocate"
    | "closeOutputs"
    | typeof Symbol.asyncIterator
  > {
  /** Sends `value` on output `id`; its type must match the output's annotation. */
  sendOutput<K extends OutputId<P>>(
    id: K,
    value: SendValue<P["outputs"][K]>,
    ...params: ParamsArg<P, K>
  ): Promise<void>;
  /** The next event, or null once the stream ended. */
  recv(): Promise<TypedEvent<P> | null>;
  /** A shared-memory buffer for output `id` (see {@link Node.allocate}). */
  allocate(id: OutputId<P>, byteLength: number): Uint8Array;
  /** Closes outputs early. */
  closeOutputs(ids: OutputId<P>[]): void;
  [Symbol.asyncIterator](): AsyncIterator<TypedEvent<P>>;
}

/**
 * The typed `initNode` of a generated module: starts node `id` (checking
 * that this process runs as that node) and types it with its ports.
 */
export function typedInit<D extends Record<string, Ports>>(): <
  N extends keyof D & string,
>(id: N, options?: NodeInitOptions) => Promise<TypedNode<D[N]>> {
  return async <N extends keyof D & string>(
    id: N,
    options: NodeInitOptions = {},
  ): Promise<TypedNode<D[N]>> => {
    const node = await Node.init(options);
    if (node.nodeId !== id) {
      await node.close();
      throw new NodeInitError(
        `this script runs as node "${node.nodeId}", but asks for the types of node "${id}" (call initNode("${node.nodeId}"), or regenerate the types with dora types generate)`,
      );
    }
    return node as unknown as TypedNode<D[N]>;
  };
}

/**
 * Builds a Vector of Arrow type `type` from plain values (structs from
 * objects, lists from arrays).
 *
 * @example
 * ```ts
 * import { Vector3 } from "./types.ts"; // generated
 * const v = vectorOf(Vector3, [{ x: 1, y: 2, z: 3 }]);
 * ```
 */
export function vectorOf<T extends DataType>(
  type: T,
  values: (JsValue<T> | null)[],
): Vector<T> {
  return vectorFromArray(values as never, type) as unknown as Vector<T>;
}

/** `Null`, the type of timer ticks (re-exported for generated modules). */
export type TimerTick = Null;
