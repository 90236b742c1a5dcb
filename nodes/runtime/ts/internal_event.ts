/**
 * Input events between operators of one runtime process: the value an
 * operator sent, as the apache-arrow Vector a node would have received
 * (copied, like `sendOutput` copies), with fresh metadata. No socket, no
 * shared memory.
 *
 * @module
 */
import { makeVector, Vector } from "apache-arrow";
import type { InputEvent } from "../../api/ts/mod.ts";
import {
  decodeValue,
  encodeValue,
  type Metadata,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";

/** An input event carrying a sent value to input `id` of another operator. */
class InternalInputEvent implements InputEvent {
  readonly type = "INPUT" as const;
  readonly metadata: Metadata;
  #value: Vector | (() => Vector);

  constructor(
    readonly id: string,
    value: Vector | (() => Vector),
    timestamp: bigint,
    parameters: Params | undefined,
  ) {
    this.#value = value;
    this.metadata = { timestamp, parameters: parameters ?? {} };
  }

  get value(): Vector {
    const v = this.#value;
    return typeof v === "function" ? (this.#value = v()) : v;
  }

  release(): void {}

  retain(): this {
    return this;
  }

  [Symbol.dispose](): void {}
}

/** An input event carrying `value` (or its builder) to input `id`. */
export function internalEvent(
  id: string,
  value: Vector | (() => Vector),
  timestamp: bigint,
  parameters: Params | undefined,
): InputEvent {
  return new InternalInputEvent(id, value, timestamp, parameters);
}

/**
 * The Vector a receiver sees for a sent value: a copy, built at once (the
 * sender may reuse its buffers; like a node's `sendOutput` encodes before it
 * stamps the message). One Vector serves every receiver of the message.
 */
export function toVector(value: SendableValue): Vector {
  // An apache-arrow Vector is shared as it is (immutable by convention).
  if (value instanceof Vector) return value;
  // A typed array: one copy, the Vector over it.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return makeVector((value as Uint8Array).slice());
  }
  const enc = encodeValue(value);
  if (enc.layout === undefined) return decodeValue(undefined, null);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return decodeValue(enc.layout, payload);
}
