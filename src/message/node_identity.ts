/**
 * Node identity on the node socket and on direct links. dora gives each
 * node process it starts a random `secret` (in its `DORA_NODE_CONFIG`); the
 * node's `hello` must carry it, so another process cannot connect as that
 * node. A receiver proves who it is to a sender's `listen` socket with a
 * link key: an HMAC of the receiver's id under the sender's secret, which
 * the daemon hands only to that receiver (in its `routes`). Plain WebCrypto:
 * the node APIs use it too, under a TypeScript node's default permissions.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A fresh node secret: 32 random bytes as hex. */
export function newNodeSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The key with which `receiver` links to the sender whose secret is
 * `senderSecret`: hex HMAC-SHA256 of `link\0<receiver>`.
 *
 * @example
 * ```ts
 * const key = await linkKey(newNodeSecret(), "plot");
 * ```
 */
export async function linkKey(
  senderSecret: string,
  receiver: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(senderSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    encoder.encode(`link\0${receiver}`),
  );
  return Array.from(
    new Uint8Array(mac),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Compares a secret or key with the expected one in constant time. */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== "string" || given.length !== expected.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  }
  return diff === 0;
}
