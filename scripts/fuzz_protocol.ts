/**
 * The long protocol fuzz run (not part of CI, which runs a short budget in
 * tests/protocol/fuzz_test.ts): at least FRAMES random and mutated frames
 * (default 1 000 000) to the TypeScript node and daemon decoders, and as
 * many to the Python node decoder. Prints each side's counts and any
 * finding (a stream refused with something other than a ProtocolError);
 * exits 1 when there is one.
 *
 *   deno run -A scripts/fuzz_protocol.ts [--frames N] [--seed S]
 *
 * @module
 */
import { fuzz } from "../tests/protocol/_fuzz.ts";

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

const frames = flag("frames", 1_000_000);
const seed = flag("seed", Date.now() % 100_000);
const root = new URL("../", import.meta.url).pathname;

console.log(`fuzzing with ${frames} frames per language, seed ${seed}`);
let t = Date.now();
const ts = await fuzz(frames, seed);
console.log(
  `TypeScript (node + daemon): ${ts.frames} frames in ${ts.streams} streams, ${ts.accepted} accepted, ${ts.refused} refused, ${ts.findings.length} findings (${
    ((Date.now() - t) / 1000).toFixed(1)
  } s)`,
);
t = Date.now();
const out = await new Deno.Command("python3", {
  args: [
    `${root}nodes/api/python/tests/fuzz_frames.py`,
    String(frames),
    String(seed),
  ],
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
}).output();
const py = JSON.parse(new TextDecoder().decode(out.stdout));
console.log(
  `Python (node): ${py.frames} frames in ${py.streams} streams, ${py.accepted} accepted, ${py.refused} refused, ${py.finding_count} findings (${
    ((Date.now() - t) / 1000).toFixed(1)
  } s)`,
);
for (const f of [...ts.findings, ...py.findings]) {
  console.log(`finding: ${f.error}\n  stream: ${f.hex}`);
}
Deno.exit(ts.findings.length + py.finding_count > 0 ? 1 : 0);
