/**
 * The key-expression layout dora uses on zenoh (docs/zenoh.md):
 *
 * - `dora/default/<dataflow>/link/<tag>/<node>/<output>`: the transport
 *   between daemons. `<tag>` is derived from the dataflow's secret, so only
 *   daemons given the secret know where its data flows. Carries outputs,
 *   close notices and readiness probes of one output, in order.
 * - `dora/default/<dataflow>/link/<tag>/@ack/<daemon>`: readiness acks to the
 *   sending daemon `<daemon>`.
 * - `dora/default/<dataflow>/link/<tag>/@credit/<daemon>`: backpressure
 *   credits to the sending daemon `<daemon>`.
 * - `dora/default/<dataflow>/link/<tag>/@resync`: a receiving daemon is back
 *   on its bridge; senders start their credit windows over.
 * - `dora/default/<dataflow>/output/<node>/<output>`: open data, every output
 *   with `--debug` / `publish_all_messages_to_zenoh` (self-describing).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ZenohConfigError } from "./errors.ts";
import { keyExprProblem } from "../descriptor/mod.ts";

/** The network id of the original's layout (always `default`). */
const NET = "dora/default";

/** Key prefix of the daemon-to-daemon link of dataflow `df`. */
export function linkPrefix(df: string, secret: string): string {
  const tag = createHash("sha256").update(`dora-zenoh-link\0${df}\0${secret}`)
    .digest("hex").slice(0, 32);
  return `${NET}/${df}/link/${tag}`;
}

/** Link key of output `node/output` (below {@link linkPrefix}). */
export function linkOutputKey(
  prefix: string,
  node: string,
  output: string,
): string {
  return `${prefix}/${chunk(node)}/${chunk(output)}`;
}

/** Link key where readiness acks for sending daemon `daemon` arrive. */
export function linkAckKey(prefix: string, daemon: string): string {
  return `${prefix}/@ack/${chunk(daemon)}`;
}

/** Link key where backpressure credits for sending daemon `daemon` arrive. */
export function linkCreditKey(prefix: string, daemon: string): string {
  return `${prefix}/@credit/${chunk(daemon)}`;
}

/**
 * Link key where a receiving daemon back on its bridge tells the senders
 * that messages and credits may have been lost (see transport/zenoh.ts).
 */
export function linkResyncKey(prefix: string): string {
  return `${prefix}/@resync`;
}

/** Open-data key of output `node/output` of dataflow `df`. */
export function openDataKey(df: string, node: string, output: string): string {
  return `${NET}/${df}/output/${chunk(node)}/${chunk(output)}`;
}

/** Open-data keys of every output of dataflow `df` (for subscribers). */
export function openDataWildcard(df: string): string {
  return `${NET}/${df}/output/**`;
}

/**
 * Checks a user-given key expression (`zenoh: {subscribe: ...}`): non-empty
 * chunks, no characters zenoh reserves. Null when it is fine.
 */
export function checkKeyExpr(key: string, wildcards: boolean): string | null {
  return keyExprProblem(key, wildcards);
}

/** One key chunk from a dora id (ids never hold zenoh's special characters). */
function chunk(id: string): string {
  if (!id || /[*#?$\s]/.test(id)) {
    throw new ZenohConfigError(`"${id}" cannot be part of a zenoh key`);
  }
  return id;
}
