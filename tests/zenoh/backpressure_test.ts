/**
 * Backpressure across machines over zenoh: a `backpressure` input fed from
 * another daemon holds its sender back as over TCP (credits go back to the
 * sending daemon on zenoh), so neither daemon queues a backlog; and a
 * receiver's bridge lost mid-run does not leave the sender waiting for
 * credits that were lost with it.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";
import { bridgePid, bridgePorts, zenohDaemon } from "../_support/zenoh.ts";

const SIZE = 64 * 1024;
/** How far the sender may get ahead of the receiver. */
const AHEAD = 300;

/**
 * A sender of `count` (or endless) 64 KiB messages numbered from 0; it
 * writes how many it sent into `sent.txt`, which the receiver reads (both
 * "machines" share this host).
 */
function fastSender(count: number | undefined): string {
  return `import { Node } from "dora";
const node = await Node.init();
for (let i = 0; ${count === undefined ? "" : `i < ${count}`}; i++) {
  const b = new Uint8Array(${SIZE}).fill(i & 255);
  new DataView(b.buffer).setUint32(8, i, true);
  await node.sendOutput("n", b);
  Deno.writeTextFileSync("sent.tmp", String(i + 1));
  Deno.renameSync("sent.tmp", "sent.txt");
}
`;
}

/**
 * A receiver that takes one message per millisecond and reports how many
 * it got, whether their numbers only grew (gaps allowed when `gaps`) and
 * how far ahead of the newest one the sender was at most.
 */
function slowReceiver(gaps: boolean): string {
  return `import { Node } from "dora";
const node = await Node.init();
let got = 0;
let last = -1;
let ordered = true;
let ahead = 0;
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const bytes = event.value.toArray() as Uint8Array;
  const i = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (${
    gaps ? "i <= last" : "i !== last + 1"
  } || bytes.length !== ${SIZE} || bytes[${
    SIZE - 1
  }] !== (i & 255)) ordered = false;
  last = i;
  got++;
  let sent = i + 1; // the sender may not have written its count yet
  try {
    sent = Number(Deno.readTextFileSync("sent.txt"));
  } catch {
    // not yet
  }
  ahead = Math.max(ahead, sent - (i + 1));
  if (got % 100 === 0) console.log(\`slow at \${got} ordered=\${ordered} ahead=\${ahead}\`);
  await new Promise((r) => setTimeout(r, 1));
}
console.log(\`slow got \${got} ordered=\${ordered} ahead=\${ahead}\`);
`;
}

const DATAFLOW = `nodes:
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
`;

/** The largest `ahead=` the receiver reported. */
function mostAhead(output: string): number {
  return Math.max(
    0,
    ...[...output.matchAll(/ahead=(\d+)/g)].map((m) => Number(m[1])),
  );
}

Deno.test("dora start over zenoh holds a sender back for a backpressure input on another daemon and loses nothing", async () => {
  const sb = await Sandbox.create();
  const count = 2000;
  sb.write("fast.ts", fastSender(count));
  sb.write("slow.ts", slowReceiver(false));
  const yml = sb.write("bp.yml", DATAFLOW);
  try {
    await sb.coordinator();
    const a = bridgePorts();
    const daemonA = await zenohDaemon(sb, "A", a);
    const daemonB = await zenohDaemon(sb, "B", bridgePorts(), [a.zenoh]);
    const r = await sb.dora(["start", yml, "--attach"]);
    const out = `${r.stderr}${r.stdout}\n--- daemon A:\n${
      daemonA.stderr.slice(-2000)
    }\n--- daemon B:\n${daemonB.stderr.slice(-2000)}`;
    assert.equal(r.code, 0, out);
    assert.match(out, new RegExp(`slow got ${count} ordered=true ahead=`));
    assert.doesNotMatch(out, /dropped/);
    // Without credits the sender is done (2000 × 64 KiB queued by the
    // daemons and the bridges) long before the receiver took 100.
    const ahead = mostAhead(out);
    assert.ok(
      ahead <= AHEAD,
      `the sender was up to ${ahead} messages ahead of the receiver\n${out}`,
    );
  } finally {
    await sb.cleanup();
  }
});

/**
 * Kills the bridge of daemon `lost` while the sender is held back by
 * credits, and checks that data flows again, in order and bounded.
 */
async function bridgeLostMidRun(lost: "A" | "B"): Promise<void> {
  const sb = await Sandbox.create();
  sb.write("fast.ts", fastSender(undefined));
  sb.write("slow.ts", slowReceiver(true));
  const yml = sb.write("bp.yml", DATAFLOW);
  try {
    await sb.coordinator();
    const a = bridgePorts();
    const daemonA = await zenohDaemon(sb, "A", a);
    const daemonB = await zenohDaemon(sb, "B", bridgePorts(), [a.zenoh]);
    const daemon = lost === "A" ? daemonA : daemonB;
    const run = sb.spawn(["start", yml, "--attach"]);
    await run.waitFor(/slow at 200 /);
    // The messages and credits of the outage are lost: without a fresh
    // start of the credit window the sender would wait for good.
    Deno.kill(bridgePid(daemon.stderr), "SIGKILL");
    await daemon.waitFor(/lost the zenoh bridge at ws\//);
    await daemon.waitFor(/reconnected to the zenoh bridge at ws\//);
    const seen = Math.max(
      ...[...run.output.matchAll(/slow at (\d+)/g)].map((m) => Number(m[1])),
    );
    await run.waitFor(new RegExp(`slow at ${seen + 300} `));
    assert.doesNotMatch(run.output, /ordered=false/);
    const ahead = mostAhead(run.output);
    assert.ok(
      ahead <= AHEAD,
      `the sender was up to ${ahead} messages ahead of the receiver\n${run.output}`,
    );
    const stop = await sb.dora(["stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    await run.done;
  } finally {
    await sb.cleanup();
  }
}

Deno.test("over zenoh, a sender held back by credits goes on when the receiver's lost bridge is back", () =>
  bridgeLostMidRun("B"));

Deno.test("over zenoh, a sender held back by credits goes on when its own lost bridge is back", () =>
  bridgeLostMidRun("A"));
