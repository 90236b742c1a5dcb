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
  type HybridLogicalClock,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";

/** An input event carrying `value` to input `id` of another operator. */
export function internalEvent(
  id: string,
  value: Vector,
  clock: HybridLogicalClock,
  parameters: Params | undefined,
): InputEvent {
  const event: InputEvent = {
    type: "INPUT",
    id,
    value,
    metadata: { timestamp: clock.now(), parameters: parameters ?? {} },
    release() {},
    retain() {
      return event;
    },
    [Symbol.dispose]() {},
  };
  return event;
}

/** The Vector a receiver sees for a sent value (a copy: the sender may reuse its buffers). */
export function toVector(value: SendableValue): Vector {
  const enc = encodeValue(value);
  if (enc.layout === undefined) return decodeValue(undefined, null);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return decodeValue(enc.layout, payload);
}
