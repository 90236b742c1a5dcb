/**
 * Protocol fuzzing with a short budget (the long form is
 * `deno run -A scripts/fuzz_protocol.ts`): random and mutated frames reach
 * the TypeScript node and daemon decoders and the Python node decoder; each
 * is decoded or refused with a ProtocolError, nothing else.
 */
import assert from "node:assert/strict";
import { fuzz } from "./_fuzz.ts";
import { ROOT } from "../_support/dora.ts";

const FRAMES = 20_000;

Deno.test("the TypeScript decoders refuse 20 000 fuzzed frames with ProtocolError only", async () => {
  const r = await fuzz(FRAMES, 7);
  assert.ok(r.frames >= FRAMES);
  assert.ok(r.accepted > 0 && r.refused > 0, JSON.stringify(r));
  assert.deepEqual(r.findings, []);
});

Deno.test("the Python decoder refuses 20 000 fuzzed frames with ProtocolError only", async () => {
  const out = await new Deno.Command("python3", {
    args: [
      `${ROOT}/nodes/api/python/tests/fuzz_frames.py`,
      String(FRAMES),
      "7",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(text);
  assert.ok(r.frames >= FRAMES);
  assert.ok(r.accepted > 0 && r.refused > 0, text);
  assert.deepEqual(r.findings, []);
});
