/**
 * Event types yielded by the node's event stream.
 *
 * @module
 */
import type { Vector } from "apache-arrow";
import type { Metadata, StopCause } from "../../../src/message/mod.ts";

/** Data arrived on an input. */
export interface InputEvent {
  type: "INPUT";
  /** The input id (the key under `inputs:` in the dataflow). */
  id: string;
  /** The data: an apache-arrow Vector (an empty Null vector for timer ticks). */
  value: Vector;
  /** HLC timestamp and parameters. */
  metadata: Metadata;
  /**
   * Done with `value`: a shared-memory region goes back to its sender. Called
   * automatically when the next event is pulled, unless {@link retain} was
   * called. Reading `value` after release may see newer data.
   */
  release(): void;
  /** Keep `value` valid past the next event, until {@link release}. */
  retain(): this;
  /** `using event = …` releases at the end of the block. */
  [Symbol.dispose](): void;
}

/** An upstream output was closed (the sender finished, or its input timed out). */
export interface InputClosedEvent {
  type: "INPUT_CLOSED";
  id: string;
}

/** A broken input (circuit breaker) receives data again. */
export interface InputRecoveredEvent {
  type: "INPUT_RECOVERED";
  id: string;
}

/** An upstream node is being restarted. */
export interface NodeRestartedEvent {
  type: "NODE_RESTARTED";
  /** The upstream node id. */
  id: string;
}

/** An upstream node failed. */
export interface NodeFailedEvent {
  type: "NODE_FAILED";
  /** The upstream node id. */
  id: string;
  /** This node's inputs fed by it. */
  inputs: string[];
  error: string;
}

/** The node should stop; the stream ends after this event. */
export interface StopEvent {
  type: "STOP";
  cause: StopCause;
}

/** The daemon reported an error (e.g. an undeclared output), or the connection broke. */
export interface ErrorEvent {
  type: "ERROR";
  error: string;
}

/**
 * A runtime parameter of this node was set (`dora param set`); `node.params`
 * has the new value once this event is handed out.
 */
export interface ParamUpdateEvent {
  type: "PARAM_UPDATE";
  /** The key (as in the original dora, `id` is the key too). */
  id: string;
  key: string;
  /** The new value (any JSON value). */
  value: unknown;
}

/** A runtime parameter of this node was deleted (`dora param delete`). */
export interface ParamDeletedEvent {
  type: "PARAM_DELETED";
  /** The key (as in the original dora, `id` is the key too). */
  id: string;
  key: string;
}

/** Any event of the stream. */
export type Event =
  | InputEvent
  | InputClosedEvent
  | InputRecoveredEvent
  | NodeRestartedEvent
  | NodeFailedEvent
  | StopEvent
  | ErrorEvent
  | ParamUpdateEvent
  | ParamDeletedEvent;

/**
 * Builds an {@link InputEvent}; `onRelease` runs at most once. `value` may be
 * a function that decodes it: it then runs on the first read of
 * `event.value` (building an apache-arrow Vector costs ~25 µs on a cold
 * path, after the event is handed over rather than before).
 */
export function inputEvent(
  id: string,
  value: Vector | (() => Vector),
  metadata: Metadata,
  onRelease: (() => void) | null,
): InputEvent & { retained: boolean } {
  let release = onRelease;
  let decode = typeof value === "function" ? value : null;
  let decoded = decode ? undefined : value as Vector;
  const event = {
    type: "INPUT" as const,
    id,
    get value(): Vector {
      if (decode) {
        decoded = decode();
        decode = null;
      }
      return decoded!;
    },
    metadata,
    retained: false,
    release() {
      const r = release;
      release = null;
      r?.();
    },
    retain() {
      event.retained = true;
      return event;
    },
    [Symbol.dispose]() {
      event.release();
    },
  };
  return event;
}
