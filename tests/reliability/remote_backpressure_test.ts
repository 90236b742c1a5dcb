/**
 * Backpressure across machines: a `backpressure` input fed from another
 * daemon holds its sender back like a local one. The receiving daemon grants
 * the sending daemon credits as the receiver takes messages (per input, up
 * to the queue's capacity); without credits the sending daemon stops
 * reading its sender, so neither daemon queues a backlog and nothing is
 * lost.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";

const COUNT = 1000;
const SIZE = 64 * 1024;
/** How far the sender may get ahead of the receiver. */
const AHEAD = 300;

Deno.test("dora start holds a sender back for a backpressure input on another daemon and loses nothing", async () => {
  const sb = await Sandbox.create();
  // The sender writes how many it sent into a file the receiver reads (both
  // "machines" share this host).
  sb.write(
    "fast.ts",
    `import { Node } from "dora";
const node = await Node.init();
for (let i = 0; i < ${COUNT}; i++) {
  const b = new Uint8Array(${SIZE}).fill(i & 255);
  new DataView(b.buffer).setUint32(8, i, true);
  await node.sendOutput("n", b);
  Deno.writeTextFileSync("sent.tmp", String(i + 1));
  Deno.renameSync("sent.tmp", "sent.txt");
}
`,
  );
  sb.write(
    "slow.ts",
    `import { Node } from "dora";
const node = await Node.init();
let got = 0;
let ordered = true;
let ahead = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const bytes = event.value.toArray() as Uint8Array;
  const i = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (i !== got || bytes.length !== ${SIZE} || bytes[${
      SIZE - 1
    }] !== (i & 255)) ordered = false;
  got++;
  ahead = Math.max(ahead, Number(Deno.readTextFileSync("sent.txt")) - got);
  await new Promise((r) => setTimeout(r, 1));
}
console.log(\`slow got \${got} ordered=\${ordered} ahead=\${ahead}\`);
`,
  );
  const yml = sb.write(
    "bp.yml",
    `nodes:
  - id: fast
    _unstable_deploy: { machine: A }
    path: fast.ts
    outputs: [n]
    permissions: { write: ["."] }
  - id: slow
    _unstable_deploy: { machine: B }
    path: slow.ts
    inputs:
      n: { source: fast/n, queue_size: 2, queue_policy: backpressure }
`,
  );
  try {
    await sb.coordinator();
    const a = await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora(["start", yml, "--attach"]);
    const out = `${r.stderr}${r.stdout}\n--- daemon A:\n${
      a.stderr.slice(-2000)
    }\n--- daemon B:\n${b.stderr.slice(-2000)}`;
    assert.equal(r.code, 0, out);
    assert.match(out, new RegExp(`slow got ${COUNT} ordered=true ahead=`));
    assert.doesNotMatch(out, /dropped/);
    // Without credits the whole backlog (${COUNT} × 64 KiB) would be
    // queued by the daemons long before the receiver took 100.
    const ahead = Number(/ahead=(\d+)/.exec(out)?.[1]);
    assert.ok(
      ahead <= AHEAD,
      `the sender was up to ${ahead} messages ahead of the receiver\n${out}`,
    );
  } finally {
    await sb.cleanup();
  }
});
