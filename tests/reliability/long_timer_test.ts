/**
 * Timers of 2³¹ ms or more: a `setTimeout` chain clamps such a timeout to
 * 1 ms and fires hundreds of times a second. The ticker thread waits for the
 * real deadline, so a 30-day timer does not tick while a short one ticks on.
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";

/** Counts both timers' ticks; exits after 40 ticks of the short one. */
const COUNTER = `import { Node } from "dora";
const node = await Node.init();
let short = 0;
let long = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  if (event.id === "long") long++;
  else if (++short === 40) break;
}
console.log(\`ticks: short \${short} long \${long}\`);
`;

Deno.test("dora run never ticks a timer of 30 days (over 2^31 ms) while a 10 ms timer ticks 40 times", async () => {
  await using df = await tempDataflow(`nodes:
  - id: counter
    path: counter.ts
    inputs:
      short: dora/timer/millis/10
      long: dora/timer/secs/2592000
`);
  await Deno.writeTextFile(`${df.dir}/counter.ts`, COUNTER);
  const r = await runDora(["run", "dataflow.yml"], { cwd: df.dir });
  assert.equal(r.code, 0, r.stderr);
  const m = /ticks: short (\d+) long (\d+)/.exec(r.stdout + r.stderr);
  assert.ok(m, `no tick count:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(m[1]), 40);
  assert.equal(Number(m[2]), 0, "the 30-day timer ticked");
  // The summary counts no tick of it either.
  assert.doesNotMatch(r.stderr, /secs\/2592000[^\n]*\b[1-9]\d* ticks?/);
});
