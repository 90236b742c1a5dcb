/**
 * examples/typed-dataflow runs end to end: TypeScript and Python nodes on
 * generated types exchange structs (Image, Detection, a user type) and the
 * motor sees every command, with every runtime type check on.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

Deno.test("dora run examples/typed-dataflow passes typed structs between TypeScript and Python", async () => {
  const r = await runDora(
    [
      "run",
      "examples/typed-dataflow/dataflow.yml",
      "--type-check",
      "error",
      "--stop-after",
      "60s",
    ],
    { cwd: ROOT },
  );
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  assert.ok(out.includes("motor: SUCCESS: 20 typed commands"), out);
  assert.ok(out.includes("frame 0: target square, turn +1.40 rad/s"), out);
});
