import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";
import { DORA_VERSION } from "../../src/version.ts";

Deno.test("dora --version prints the version", async () => {
  const r = await runDora(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), DORA_VERSION);
});

Deno.test("dora with an unknown option exits 2 and shows help", async () => {
  const r = await runDora(["--no-such-flag"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--no-such-flag'/);
  assert.match(r.stderr, /Usage: dora/);
});

Deno.test("dora with an unknown command exits 2", async () => {
  const r = await runDora(["no-such-command"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'no-such-command'/);
});
