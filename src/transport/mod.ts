/**
 * Daemon-to-daemon transports (TCP by default, zenoh on request) behind
 * {@link DataTransport}.
 *
 * @module
 */
export type * from "./types.ts";
export { TcpTransport } from "./tcp.ts";
export { ZenohTransport } from "./zenoh.ts";
export type { ZenohTransportOptions } from "./zenoh.ts";
export { newDataSecret, sameSecret } from "./secret.ts";
