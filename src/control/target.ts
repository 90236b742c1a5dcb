/**
 * The address of a coordinator on the control plane.
 *
 * @module
 */

/** A coordinator address. */
export interface CoordinatorTarget {
  addr: string;
  port: number;
}

/**
 * `host:port`, with IPv6 hosts bracketed.
 *
 * @example
 * ```ts
 * formatTarget({ addr: "::1", port: 6013 }); // "[::1]:6013"
 * ```
 */
export function formatTarget(t: CoordinatorTarget): string {
  return t.addr.includes(":") ? `[${t.addr}]:${t.port}` : `${t.addr}:${t.port}`;
}
