/**
 * Zenoh endpoints as users write them: `ws/HOST:PORT` for the bridge's
 * WebSocket (what zenoh-ts connects to) and `tcp/HOST:PORT` for links
 * between bridges.
 *
 * @module
 */
import { ZenohConfigError } from "./errors.ts";

/** The default bridge endpoint on this machine. */
export const DEFAULT_ZENOH_ENDPOINT = "ws/127.0.0.1:10000";

/** A parsed `PROTO/HOST:PORT`. */
export interface Endpoint {
  proto: string;
  host: string;
  port: number;
  /** As written (normalized to `PROTO/HOST:PORT`). */
  text: string;
}

/**
 * Parses `PROTO/HOST:PORT` (IPv6 hosts in brackets).
 *
 * @example
 * ```ts
 * parseEndpoint("ws/127.0.0.1:10000", ["ws"]).port; // 10000
 * ```
 */
export function parseEndpoint(
  text: string,
  protos: string[],
  what = "--zenoh-endpoint",
): Endpoint {
  const m = /^([a-z]+)\/(\[[0-9a-fA-F:.]+\]|[^/:\s]+):(\d{1,5})$/.exec(
    text.trim(),
  );
  const port = m ? Number(m[3]) : NaN;
  if (!m || !protos.includes(m[1]) || port < 1 || port > 65535) {
    throw new ZenohConfigError(
      `${what} expects ${
        protos.map((p) => `${p}/HOST:PORT`).join(" or ")
      }, got "${text}"`,
    );
  }
  const host = m[2].replace(/^\[(.*)\]$/, "$1");
  return { proto: m[1], host, port, text: `${m[1]}/${m[2]}:${port}` };
}
