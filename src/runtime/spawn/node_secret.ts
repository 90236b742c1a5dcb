/**
 * The runtime's side of node identity (message/node_identity.ts): a fresh
 * secret for each process it starts, the check of `hello`, and link keys
 * computed synchronously for `routes`.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { RunningNode } from "../running_node.ts";

/**
 * The link key of `receiver` for `sender`'s current process (cached per
 * process), or undefined when the sender has no secret.
 */
export function linkKeyOf(
  sender: RunningNode,
  receiver: string,
): string | undefined {
  const secret = sender.secret;
  if (secret === undefined) return undefined;
  let key = sender.linkKeys.get(receiver);
  if (key === undefined) {
    key = createHmac("sha256", secret).update(`link\0${receiver}`).digest(
      "hex",
    );
    sender.linkKeys.set(receiver, key);
  }
  return key;
}
