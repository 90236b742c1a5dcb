/**
 * The Foxglove WebSocket protocol (`foxglove/ws-protocol` `docs/spec.md`),
 * server side: JSON text messages with an `op`, binary messages with a
 * one-byte opcode and little-endian integers. Both subprotocol names are
 * spoken (`foxglove.sdk.v1`, the SDK's, and `foxglove.websocket.v1`).
 *
 * @module
 */

/** The subprotocols, most recent first. */
export const SUBPROTOCOLS = ["foxglove.sdk.v1", "foxglove.websocket.v1"];

/** The subprotocol to answer a client offering `offered`, if any. */
export function chooseSubprotocol(offered: string | null): string | undefined {
  const list = (offered ?? "").split(",").map((s) => s.trim());
  return SUBPROTOCOLS.find((p) => list.includes(p));
}

/** Status levels of `status` messages. */
export const StatusLevel = { INFO: 0, WARNING: 1, ERROR: 2 } as const;

/** A channel as advertised. */
export interface Channel {
  id: number;
  topic: string;
  encoding: string;
  schemaName: string;
  schema: string;
  schemaEncoding?: string;
}

/** A parameter (`getParameters` / `setParameters` / `parameterValues`). */
export interface Parameter {
  name: string;
  value?: unknown;
  type?: "byte_array" | "float64" | "float64_array";
}

/** Messages a client sends as text. */
export type ClientMessage =
  | { op: "subscribe"; subscriptions: { id: number; channelId: number }[] }
  | { op: "unsubscribe"; subscriptionIds: number[] }
  | { op: "getParameters"; parameterNames: string[]; id?: string }
  | { op: "setParameters"; parameters: Parameter[]; id?: string }
  | { op: "subscribeParameterUpdates"; parameterNames: string[] }
  | { op: "unsubscribeParameterUpdates"; parameterNames: string[] }
  | { op: "subscribeConnectionGraph" }
  | { op: "unsubscribeConnectionGraph" };

/** Messages the server sends as text. */
export type ServerMessage =
  | {
    op: "serverInfo";
    name: string;
    capabilities: string[];
    supportedEncodings?: string[];
    metadata?: Record<string, string>;
    sessionId?: string;
  }
  | { op: "status"; level: number; message: string; id?: string }
  | { op: "removeStatus"; statusIds: string[] }
  | { op: "advertise"; channels: Channel[] }
  | { op: "unadvertise"; channelIds: number[] }
  | { op: "parameterValues"; parameters: Parameter[]; id?: string }
  | {
    op: "connectionGraphUpdate";
    publishedTopics: { name: string; publisherIds: string[] }[];
    subscribedTopics: { name: string; subscriberIds: string[] }[];
    advertisedServices: { name: string; providerIds: string[] }[];
    removedTopics: string[];
    removedServices: string[];
  };

/** Binary opcode of a message on a subscription. */
export const MESSAGE_DATA = 0x01;

/**
 * A `MessageData` frame: opcode, subscription id (u32), receive timestamp
 * (u64 ns), payload.
 */
export function messageData(
  subscriptionId: number,
  timestampNs: bigint,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(1 + 4 + 8 + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, MESSAGE_DATA);
  view.setUint32(1, subscriptionId, true);
  view.setBigUint64(5, timestampNs, true);
  out.set(payload, 13);
  return out;
}
