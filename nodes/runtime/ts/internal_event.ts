/**
 * Input events between operators of one runtime process: the value an
 * operator sent, as the apache-arrow Vector a node would have received
 * (copied, like `sendOutput` copies), with fresh metadata. No socket, no
 * shared memory.
 *
 * @module
 */
import { type Vector } from "apache-arrow";
import type { InputEvent } from "../../api/ts/mod.ts";
import {
  decodeValue,
  encodeValue,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";

/**
 * An input event carrying `value` to input `id` of another operator; a
 * function is called on the first read of `event.value` (building a Vector
 * costs more than the rest of the hop).
 */
export function internalEvent(
  id: string,
  value: Vector | (() => Vector),
  timestamp: bigint,
  parameters: Params | undefined,
): InputEvent {
  let get = typeof value === "function" ? value : null;
  let vector = get ? undefined : value as Vector;
  const event: InputEvent = {
    type: "INPUT",
    id,
    get value(): Vector {
      if (get) {
        vector = get();
        get = null;
      }
      return vector!;
    },
    metadata: { timestamp, parameters: parameters ?? {} },
    release() {},
    retain() {
      return event;
    },
    [Symbol.dispose]() {},
  };
  return event;
}

/**
 * The Vector a receiver sees for a sent value, built lazily from a copy
 * taken now (the sender may reuse its buffers). One builder serves every
 * receiver of the message.
 */
export function lazyVector(value: SendableValue): () => Vector {
  const enc = encodeValue(value);
  if (enc.layout === undefined) return () => decodeValue(undefined, null);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  let vector: Vector | undefined;
  return () => vector ??= decodeValue(enc.layout, payload);
}

/** The Vector a receiver sees for a sent value (a copy: the sender may reuse its buffers). */
export function toVector(value: SendableValue): Vector {
  const enc = encodeValue(value);
  if (enc.layout === undefined) return decodeValue(undefined, null);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return decodeValue(enc.layout, payload);
}
