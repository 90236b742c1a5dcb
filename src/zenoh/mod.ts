/**
 * Zenoh through zenoh-ts: sessions on a `zenoh-bridge-remote-api` (also
 * one that reconnects when the bridge comes back), the key
 * layout, the supervised local bridge, and the open-data encoding.
 *
 * @module
 */
export { ZenohSession } from "./session.ts";
export type { PutOptions, ZenohSample } from "./session.ts";
export { ReconnectingSession } from "./reconnecting.ts";
export type { ReconnectEvents } from "./reconnecting.ts";
export {
  BRIDGE_PROGRAM,
  bridgeProgramVersion,
  findBridge,
  SupervisedBridge,
} from "./bridge.ts";
export type { BridgeOptions } from "./bridge.ts";
export {
  DEFAULT_ZENOH_ENDPOINT,
  type Endpoint,
  parseEndpoint,
} from "./endpoint.ts";
export {
  checkKeyExpr,
  linkAckKey,
  linkCreditKey,
  linkOutputKey,
  linkPrefix,
  linkResyncKey,
  openDataKey,
  openDataWildcard,
} from "./keys.ts";
export {
  ZenohBridgeMissingError,
  ZenohConfigError,
  ZenohUnreachableError,
  ZenohVersionError,
} from "./errors.ts";
export {
  compatibleVersions,
  ZENOH_BRIDGE_VERSION,
  ZENOH_TS_VERSION,
} from "./version.ts";
export {
  ARROW_STREAM,
  decodeOpenData,
  encodeOpenData,
  JSON_ENCODING,
  JSON_MAX_VALUES,
  OCTET_STREAM,
  openDataAttachment,
  type OpenDataSample,
  readOpenDataAttachment,
} from "./open_data.ts";
