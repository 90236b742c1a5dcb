/**
 * Backpressure across machines for a node added at run time: a
 * `backpressure` input that `dora node add` brings on another daemon holds
 * its sender back like one present at start (credits over TCP), so the
 * sender never gets far ahead and nothing is lost.
 */
import assert from "node:assert/strict";
import { dyn, startCluster } from "./_cluster.ts";

const COUNT = 1000;
const SIZE = 64 * 1024;
/** How far the sender may get ahead of the receiver. */
const AHEAD = 300;

Deno.test("a backpressure input added on another daemon at run time holds its sender back and loses nothing", async () => {
  // `fast` sends once its parameter `go` is set; it writes how many it sent
  // into a file the receiver reads (both "machines" share this host).
  const yaml = `
nodes:
  - id: fast
    _unstable_deploy: { machine: A }
    path: fast.ts
    outputs: [n]
    permissions: { write: ["."] }
  - id: idle
    _unstable_deploy: { machine: B }
    path: ${dyn("watcher.ts")}
    inputs: { tick: dora/timer/secs/1 }
`;
  const fast = `import { Node } from "dora";
const node = await Node.init();
for await (const event of node) {
  if (event.type !== "PARAM_UPDATE") continue;
  for (let i = 0; i < ${COUNT}; i++) {
    const b = new Uint8Array(${SIZE}).fill(i & 255);
    new DataView(b.buffer).setUint32(8, i, true);
    await node.sendOutput("n", b);
    Deno.writeTextFileSync("sent.tmp", String(i + 1));
    Deno.renameSync("sent.tmp", "sent.txt");
  }
  console.log("fast: done");
  break;
}
`;
  const slow = `import { Node } from "dora";
const node = await Node.init();
console.log("slow: ready");
let got = 0;
let ordered = true;
let ahead = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const bytes = event.value.toArray() as Uint8Array;
  const i = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (i !== got || bytes.length !== ${SIZE}) ordered = false;
  got++;
  // The sender writes its count after each send: a first message may come
  // before the file does.
  let sent = got;
  try {
    sent = Number(Deno.readTextFileSync("sent.txt"));
  } catch {
    // not written yet
  }
  ahead = Math.max(ahead, sent - got);
  if (got === ${COUNT}) break;
  await new Promise((r) => setTimeout(r, 1));
}
console.log(\`slow got \${got} ordered=\${ordered} ahead=\${ahead}\`);
`;
  // The dataflow's folder: copied into the sandbox, started from there.
  const example = await Deno.makeTempDir({ prefix: "dora-bp-" });
  Deno.writeTextFileSync(`${example}/dataflow.yml`, yaml);
  Deno.writeTextFileSync(`${example}/fast.ts`, fast);
  Deno.writeTextFileSync(`${example}/slow.ts`, slow);
  await using df = await startCluster("", { machines: ["A", "B"], example })
    .finally(() => Deno.remove(example, { recursive: true }));
  const file = df.sb.write(
    "slow.yml",
    `id: slow
_unstable_deploy: { machine: B }
path: slow.ts
inputs:
  n: { source: fast/n, queue_size: 2, queue_policy: backpressure }
`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 0, add.stderr);
  await df.saw("slow", /slow: ready/);
  const go = await df.dora(["param", "set", "fast", "go", "true"]);
  assert.equal(go.code, 0, go.stderr);
  const [line] = await df.saw("slow", /slow got \d+/);
  assert.match(line!, new RegExp(`slow got ${COUNT} ordered=true ahead=`));
  // Without credits the sender's whole burst (${COUNT} × 64 KiB) would be
  // out long before the receiver took 100.
  const ahead = Number(/ahead=(\d+)/.exec(line!)?.[1]);
  assert.ok(
    ahead <= AHEAD,
    `the sender was up to ${ahead} messages ahead of the receiver`,
  );
});
