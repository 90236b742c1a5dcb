/**
 * The built-in zenoh nodes of the descriptor (`zenoh:` on a node): what they
 * are called and the checks of their keys and endpoint. The programs are
 * `nodes/zenoh/sub.ts` and `nodes/zenoh/pub.ts`; docs/zenoh.md, "Zenoh
 * nodes".
 *
 * @module
 */

/** The built-in node that turns zenoh samples into messages of its output. */
export const ZENOH_SUB_PATH = "dora/zenoh/sub";
/** The built-in node that publishes its inputs on zenoh. */
export const ZENOH_PUB_PATH = "dora/zenoh/pub";

/** A zenoh node as the runtime needs it (`NodeSpec.zenoh`). */
export interface ZenohNodeSpec {
  /** Key expression to subscribe to (`dora/zenoh/sub`). */
  subscribe?: string;
  /** Key to publish on (`dora/zenoh/pub`). */
  publish?: string;
  /** The bridge's WebSocket (`ws/HOST:PORT`); default: the runtime's. */
  endpoint?: string;
}

/**
 * Why `key` is not a zenoh key expression, or null when it is one.
 * `wildcards` allows whole-chunk `*` and `**` (subscriptions).
 *
 * @example
 * ```ts
 * keyExprProblem("robot/*\/pose", true); // null
 * keyExprProblem("robot//pose", true); // "\"robot//pose\" is not a key expression …"
 * ```
 */
export function keyExprProblem(key: string, wildcards: boolean): string | null {
  if (!key || key.startsWith("/") || key.endsWith("/") || key.includes("//")) {
    return `"${key}" is not a key expression (chunks separated by single "/", none empty)`;
  }
  if (/[#?$\s]/.test(key)) {
    return `"${key}" contains a character zenoh reserves (# ? $ or whitespace)`;
  }
  if (!wildcards && key.includes("*")) {
    return `"${key}" has a wildcard: a publication key names one key`;
  }
  for (const part of key.split("/")) {
    if (part.includes("*") && part !== "*" && part !== "**") {
      return `"${key}": a wildcard must be a whole chunk (* or **)`;
    }
  }
  return null;
}

/** Why `text` is not a bridge endpoint `ws/HOST:PORT`, or null. */
export function wsEndpointProblem(text: string): string | null {
  const m = /^ws\/(\[[0-9a-fA-F:.]+\]|[^/:\s]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    return `"${text}" is not a zenoh bridge endpoint (expected ws/HOST:PORT, e.g. ws/127.0.0.1:10000)`;
  }
  return null;
}
