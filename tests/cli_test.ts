import {
  equal as assertEquals,
  match as assertMatch,
} from "node:assert/strict";
import { runDora } from "./helpers.ts";
import { DORA_VERSION } from "../src/cli/version.ts";

Deno.test("dora --version prints the version", async () => {
  const r = await runDora(["--version"]);
  assertEquals(r.code, 0);
  assertEquals(r.stdout.trim(), DORA_VERSION);
});

Deno.test("dora with an unknown option exits 2 and shows help", async () => {
  const r = await runDora(["--no-such-flag"]);
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /unknown option '--no-such-flag'/);
  assertMatch(r.stderr, /Usage: dora/);
});

Deno.test("dora with an unknown command exits 2", async () => {
  const r = await runDora(["no-such-command"]);
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /unknown command 'no-such-command'/);
});
