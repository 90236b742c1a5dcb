/**
 * Backpressure across machines: a `backpressure` input fed from another
 * daemon holds its sender back like a local one. The receiving daemon grants
 * the sending daemon credits as the receiver takes messages (per input, up
 * to the queue's capacity); without credits the sending daemon stops
 * reading its sender, so neither daemon queues a backlog and nothing is
 * lost.
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";

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

Deno.test("dora start releases a sender held back by a backpressure input when that input's machine is lost", async () => {
  const sb = await Sandbox.create();
  sb.write(
    "burst.ts",
    `import { Node } from "dora";
const node = await Node.init();
for (let i = 0; i < 1000; i++) {
  await node.sendOutput("n", new Uint8Array(${SIZE}).fill(i & 255));
}
console.log("burst: done");
`,
  );
  // Takes one message, then never reads again.
  sb.write(
    "stuck.ts",
    `import { Node } from "dora";
const node = await Node.init();
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  console.log("stuck: first");
  setInterval(() => {}, 1000);
  await new Promise(() => {});
}
`,
  );
  const yml = sb.write(
    "stuck.yml",
    `nodes:
  - id: burst
    _unstable_deploy: { machine: A }
    path: burst.ts
    outputs: [n]
  - id: stuck
    _unstable_deploy: { machine: B }
    path: stuck.ts
    inputs:
      n: { source: burst/n, queue_size: 2, queue_policy: backpressure }
`,
  );
  let uuid = "";
  try {
    await sb.coordinator([], {
      DORA_HEARTBEAT_MS: "200",
      DORA_DAEMON_TIMEOUT_MS: "1500",
    });
    const a = await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    const start = await sb.dora(["start", yml, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    uuid = start.stdout.trim();
    const log = (node: string) =>
      readOrEmpty(`${sb.dir}/out/${uuid}/log_${node}.jsonl`);
    await waitUntil(
      () => log("stuck").includes("stuck: first"),
      "stuck's first input",
      {
        detail: () => a.stderr + b.stderr,
      },
    );
    // 1000 × 64 KiB is far more than a backpressure input of queue_size 2
    // lets out (credits, held frames, socket buffers): the sender waits.
    assert.doesNotMatch(log("burst"), /burst: done/);
    b.child.kill("SIGKILL");
    await b.done;
    await waitUntil(
      () => log("burst").includes("burst: done"),
      "the sender going on once the receiver's machine was lost",
      { detail: () => a.stderr },
    );
  } finally {
    await sb.cleanup();
    if (uuid) {
      for (const pid of processesWithEnv(uuid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  }
});
