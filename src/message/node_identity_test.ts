import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { linkKey, newNodeSecret, sameSecret } from "./node_identity.ts";

Deno.test("linkKey() is the HMAC-SHA256 of the receiver under the sender's secret", async () => {
  const secret = newNodeSecret();
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.notEqual(secret, newNodeSecret());
  const expected = createHmac("sha256", secret).update("link\0plot")
    .digest("hex");
  assert.equal(await linkKey(secret, "plot"), expected);
  assert.notEqual(await linkKey(secret, "plot2"), expected);
});

Deno.test("sameSecret() accepts only the same string", () => {
  assert.ok(sameSecret("abc", "abc"));
  assert.equal(sameSecret("abd", "abc"), false);
  assert.equal(sameSecret("ab", "abc"), false);
  assert.equal(sameSecret(undefined, "abc"), false);
  assert.equal(sameSecret(7, "abc"), false);
});
