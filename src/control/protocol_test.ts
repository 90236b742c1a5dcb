import assert from "node:assert/strict";
import { versionMismatch } from "./protocol.ts";
import { decodeJson, encodeJson } from "./json.ts";

Deno.test("versionMismatch() accepts the same 0.x minor and patch differences", () => {
  assert.equal(
    versionMismatch({ role: "cli", version: "0.1.0" }, {
      role: "coordinator",
      version: "0.1.7",
    }),
    undefined,
  );
  assert.equal(
    versionMismatch({ role: "cli", version: "1.2.0" }, {
      role: "coordinator",
      version: "1.5.0",
    }),
    undefined,
  );
});

Deno.test("versionMismatch() says which side to upgrade to which version", () => {
  const msg = versionMismatch(
    { role: "the dora CLI", version: "0.1.0" },
    { role: "the coordinator", version: "0.2.0" },
  );
  assert.match(
    msg!,
    /^version mismatch: the dora CLI is dora 0\.1\.0 but the coordinator is dora 0\.2\.0/,
  );
  assert.match(msg!, /upgrade the dora CLI \(dora 0\.1\.0\) to dora 0\.2\.0$/);
  const other = versionMismatch(
    { role: "the coordinator", version: "2.0.0" },
    { role: "the daemon", version: "1.9.0" },
  );
  assert.match(other!, /upgrade the daemon \(dora 1\.9\.0\) to dora 2\.0\.0$/);
});

Deno.test("encodeJson() and decodeJson() keep bigints", () => {
  const value = {
    interval: 20_000_000n,
    nested: [{ ts: 1n << 62n }],
    plain: 3,
  };
  assert.deepEqual(decodeJson(encodeJson(value)), value);
});
