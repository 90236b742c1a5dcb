/**
 * Daemon-to-daemon transports (TCP by default) behind {@link DataTransport}.
 *
 * @module
 */
export type * from "./types.ts";
export { TcpTransport } from "./tcp.ts";
export { newDataSecret, sameSecret } from "./secret.ts";
