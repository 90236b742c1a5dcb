/**
 * Two daemons on loopback, each with its own zenoh bridge linked over
 * `tcp/127.0.0.1`, run dataflows split across them with `--transport
 * zenoh`: data sent right after start, order, 4 MB payloads intact,
 * INPUT_CLOSED when the sender stops, a daemon restart, and a bridge that
 * dies mid-run.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";
import { bridgePid, bridgePorts, zenohDaemon } from "../_support/zenoh.ts";

const SENDER = `import { Node } from "dora";
const node = await Node.init();
// No timer: the first messages leave as soon as the barrier opens.
for (let i = 1; i <= 200; i++) await node.sendOutput("small", [i]);
for (let i = 0; i < 3; i++) {
  const b = new Uint8Array(4 << 20);
  for (let j = 0; j < b.length; j++) b[j] = (j * 7 + i) & 255;
  await node.sendOutput("big", b);
}
console.log("sender done");
`;

const RECEIVER = `import { Node } from "dora";
const node = await Node.init();
const small = [];
let big = 0;
const closed = [];
for await (const e of node) {
  if (e.type === "INPUT" && e.id === "small") small.push(...Array.from(e.value.toArray(), Number));
  else if (e.type === "INPUT" && e.id === "big") {
    const b = e.value.toArray();
    let ok = b.length === 4 << 20;
    for (let j = 0; ok && j < b.length; j++) ok = b[j] === ((j * 7 + big) & 255);
    if (!ok) { console.error("FAILURE: big message " + big + " differs"); Deno.exit(1); }
    big++;
  } else if (e.type === "INPUT_CLOSED") closed.push(e.id);
}
const inOrder = small.length === 200 && small.every((v, i) => v === i + 1);
console.log("closed " + closed.sort().join(","));
if (inOrder && big === 3) console.log("SUCCESS: 200 in order and 3 intact 4 MB messages");
else { console.error("FAILURE: " + small.length + " small, " + big + " big"); Deno.exit(1); }
`;

function splitDataflow(sb: Sandbox): string {
  sb.write("sender.ts", SENDER);
  sb.write("receiver.ts", RECEIVER);
  return sb.write(
    "split.yml",
    `nodes:
  - id: sender
    _unstable_deploy: { machine: A }
    path: sender.ts
    outputs: [small, big]
  - id: receiver
    _unstable_deploy: { machine: B }
    path: receiver.ts
    inputs:
      small: { source: sender/small, queue_policy: backpressure }
      big: { source: sender/big, queue_policy: backpressure }
`,
  );
}

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("dora start over zenoh: data right after start, order, 4 MB payloads and INPUT_CLOSED across daemons; a restarted daemon resubscribes", async () => {
  const sb = await Sandbox.create();
  const yml = splitDataflow(sb);
  try {
    await sb.coordinator();
    const a = bridgePorts();
    const b = bridgePorts();
    await zenohDaemon(sb, "A", a);
    const first = await zenohDaemon(sb, "B", b, [a.zenoh]);
    assert.match(first.stderr, /data transport: zenoh/);
    const r = await sb.dora(["start", yml, "--attach"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /SUCCESS: 200 in order and 3 intact 4 MB messages/);
    assert.match(r.stdout, /closed big,small/);

    // Restart daemon B (its bridge goes with it); the next run resubscribes.
    const oldBridge = bridgePid(first.stderr);
    await first.stop();
    assert.ok(!alive(oldBridge), "the bridge outlived its daemon");
    await zenohDaemon(sb, "B", bridgePorts(), [a.zenoh]);
    const again = await sb.dora(["start", yml, "--attach"]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /SUCCESS: 200 in order/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a zenoh bridge that dies mid-run is reported, cross-machine inputs break and recover when it is back", async () => {
  const sb = await Sandbox.create();
  sb.write(
    "ticker.ts",
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const e of node) {
  if (e.type === "INPUT") await node.sendOutput("n", [++n]);
}
`,
  );
  sb.write(
    "watcher.ts",
    `import { Node } from "dora";
const node = await Node.init();
let got = 0;
for await (const e of node) {
  if (e.type === "INPUT" && e.id === "n") { got++; if (got % 5 === 0) console.log("got " + got); }
  else if (e.type === "INPUT_CLOSED") console.log("broken " + e.id);
  else if (e.type === "INPUT_RECOVERED") console.log("recovered " + e.id);
}
`,
  );
  const yml = sb.write(
    "live.yml",
    `health_check_interval: 0.2
nodes:
  - id: ticker
    _unstable_deploy: { machine: A }
    path: ticker.ts
    inputs: { tick: dora/timer/millis/20 }
    outputs: [n]
  - id: watcher
    _unstable_deploy: { machine: B }
    path: watcher.ts
    inputs:
      n: { source: ticker/n, input_timeout: 1.0 }
      keepalive: dora/timer/millis/200
`,
  );
  try {
    await sb.coordinator();
    const a = bridgePorts();
    await zenohDaemon(sb, "A", a);
    const daemonB = await zenohDaemon(sb, "B", bridgePorts(), [a.zenoh]);
    const run = sb.spawn(["start", yml, "--attach"]);
    await run.waitFor(/got 10\b/);
    Deno.kill(bridgePid(daemonB.stderr), "SIGKILL");
    await daemonB.waitFor(
      /lost the zenoh bridge at ws\/127\.0\.0\.1:\d+; cross-machine inputs from ticker\/n get nothing/,
    );
    await run.waitFor(/broken n/);
    await daemonB.waitFor(/zenoh bridge restarted/);
    await daemonB.waitFor(/reconnected to the zenoh bridge/);
    await run.waitFor(/recovered n/);
    // Data flows again after the recovery.
    const after = run.output.slice(run.output.indexOf("recovered n"));
    const seen = Number([...after.matchAll(/got (\d+)/g)].at(-1)?.[1] ?? 0);
    await run.waitFor(new RegExp(`got ${seen + 10}\\b`));
    const stop = await sb.dora(["stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    await run.done;
  } finally {
    await sb.cleanup();
  }
});
