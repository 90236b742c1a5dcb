/**
 * Open data and the built-in zenoh nodes against the official Python
 * client (`eclipse-zenoh`) through a real bridge: `dora run --debug`
 * publishes every output, a `zenoh: {publish}` node publishes its input, a
 * `zenoh: {subscribe}` node feeds what the Python peer publishes into the
 * dataflow; a bridge that is not there is an error naming it, and one lost
 * mid-run is reconnected to when it is back.
 */
import assert from "node:assert/strict";
import {
  DoraProcess,
  processAlive,
  ROOT,
  runDora,
  tempDataflow,
  waitUntil,
} from "../_support/mod.ts";
import { freePort, Sandbox } from "../_support/cluster.ts";
import {
  bridgePorts,
  OutsideProcess,
  zenohBridge,
  zenohDaemon,
} from "../_support/zenoh.ts";
import { SupervisedBridge } from "../../src/zenoh/mod.ts";

/** The example: a source, a zenoh publish node, a zenoh subscribe node, a sink. */
const EXAMPLE = `${ROOT}/examples/zenoh-dataflow`;
const PEER = `${EXAMPLE}/peer.py`;

/** A copy of the example in a temporary folder (its logs go there). */
async function exampleCopy(): Promise<
  { dir: string; path: string; [Symbol.asyncDispose](): Promise<void> }
> {
  const df = await tempDataflow(
    await Deno.readTextFile(`${EXAMPLE}/dataflow.yml`),
  );
  for (const f of ["source.ts", "sink.ts"]) {
    await Deno.copyFile(`${EXAMPLE}/${f}`, `${df.dir}/${f}`);
  }
  return df;
}

/** What the Python peer received: open data and the publish node's key. */
function checkPeer(line: string): void {
  const got = JSON.parse(line.slice("RESULT ".length));
  // Open data: JSON for the small arrays (metadata attached), Arrow IPC
  // for the big one, in order, under the documented key.
  assert.equal(got.open.length, 11, line);
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(got.open[i].value, [i]);
    assert.equal(got.open[i].meta.params.seq, i);
    assert.match(got.open[i].meta.ts, /^\d+$/);
    assert.match(
      got.open[i].key,
      /^dora\/default\/[0-9a-f-]{36}\/output\/source\/data$/,
    );
  }
  assert.deepEqual(got.open[10].value, { arrow: 10000, sum: 49995000 });
  // The publish node: the same messages on its own key.
  assert.deepEqual(
    got.out.map((s: { value: unknown }) => s.value),
    got.open.map((s: { value: unknown }) => s.value),
  );
  assert.equal(got.out[3].meta.params.seq, 3);
}

/** The subscribe node: the peer's 20 JSON samples in order, then Arrow. */
function checkSink(lines: string[]): void {
  const sink = lines.filter((l) => l.includes("got "));
  assert.equal(sink.length, 21, lines.join("\n"));
  for (let i = 0; i < 20; i++) {
    assert.match(sink[i], new RegExp(`got \\[${i}\\] key demo/in$`));
  }
  assert.match(sink[20], /got arrow 1000 sum 499500 key demo\/in$/);
}

Deno.test("dora run --debug and zenoh nodes exchange data with a Python eclipse-zenoh peer", async () => {
  const ports = bridgePorts();
  const logs: string[] = [];
  const bridge = await SupervisedBridge.start({
    program: zenohBridge(),
    endpoint: `ws/127.0.0.1:${ports.ws}`,
    listen: [`tcp/127.0.0.1:${ports.zenoh}`],
    connect: [],
    log: (l) => logs.push(l),
  });
  await using df = await exampleCopy();
  const peer = new OutsideProcess("python3", [
    PEER,
    String(ports.zenoh),
  ]);
  let dora: DoraProcess | undefined;
  try {
    await peer.waitForLine(/^ready$/);
    dora = new DoraProcess([
      "run",
      df.path,
      "--debug",
      "--zenoh-endpoint",
      `ws/127.0.0.1:${ports.ws}`,
    ]);
    const line = await peer.waitForLine(/^RESULT /);
    checkPeer(line);
    await dora.waitForLine(/sink done/);
    checkSink(dora.lines);
    assert.equal((await peer.done).code, 0, peer.output);
    dora.kill("SIGINT");
    const result = await dora.result();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /publishing every output on zenoh at ws\//);
  } finally {
    if (dora) {
      try {
        dora.kill("SIGKILL");
      } catch {
        // ended
      }
      await dora.result();
    }
    await peer.close();
    await bridge.stop();
  }
});

Deno.test("dora start --debug on a zenoh daemon: a Python peer on the daemon's bridge reads open data and feeds a zenoh node", async () => {
  const sb = await Sandbox.create();
  for (const f of ["dataflow.yml", "source.ts", "sink.ts"]) {
    sb.write(f, await Deno.readTextFile(`${EXAMPLE}/${f}`));
  }
  const ports = bridgePorts();
  let peer: OutsideProcess | undefined;
  try {
    await sb.coordinator();
    await zenohDaemon(sb, "A", ports);
    peer = new OutsideProcess("python3", [
      PEER,
      String(ports.zenoh),
    ]);
    await peer.waitForLine(/^ready$/);
    const run = sb.spawn(["start", "dataflow.yml", "--attach", "--debug"]);
    checkPeer(await peer.waitForLine(/^RESULT /));
    await run.waitFor(/sink done/);
    checkSink(run.output.split("\n"));
    assert.equal((await peer.done).code, 0, peer.output);
    const stop = await sb.dora(["stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    await run.done;
  } finally {
    await peer?.close();
    await sb.cleanup();
  }
});

Deno.test("dora run --debug names the zenoh bridge it cannot reach", async () => {
  await using df = await tempDataflow(`nodes:
  - id: source
    path: source.ts
    outputs: [data]
`);
  await Deno.copyFile(`${EXAMPLE}/source.ts`, `${df.dir}/source.ts`);
  const port = freePort();
  const r = await runDora([
    "run",
    df.path,
    "--debug",
    "--zenoh-endpoint",
    `ws/127.0.0.1:${port}`,
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`cannot reach the zenoh bridge at ws/127\\.0\\.0\\.1:${port}`),
  );
  const bad = await runDora(["run", df.path, "--zenoh-endpoint", "tcp/x:1"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /expects ws\/HOST:PORT, got "tcp\/x:1"/);
  const listen = await runDora([
    "run",
    df.path,
    "--zenoh-listen",
    "tcp/127.0.0.1:7447",
  ]);
  assert.equal(listen.code, 2, listen.stderr);
  assert.match(
    listen.stderr,
    /--zenoh-listen configures the bridge that --zenoh starts/,
  );
});

Deno.test("dora run fails a zenoh node whose bridge is not there, naming it", async () => {
  const port = freePort();
  await using df = await tempDataflow(`nodes:
  - id: from-zenoh
    zenoh:
      subscribe: demo/in
      endpoint: ws/127.0.0.1:${port}
    outputs: [value]
`);
  const r = await runDora(["run", df.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /from-zenoh/);
  assert.match(
    r.stderr,
    new RegExp(`cannot reach the zenoh bridge at ws/127\\.0\\.0\\.1:${port}`),
  );
});

Deno.test("open data and zenoh nodes that lose their bridge warn and carry data again once it is back, without a restart", async () => {
  const ports = bridgePorts();
  const logs: string[] = [];
  const bridge = await SupervisedBridge.start({
    program: zenohBridge(),
    endpoint: `ws/127.0.0.1:${ports.ws}`,
    listen: [`tcp/127.0.0.1:${ports.zenoh}`],
    connect: [],
    log: (l) => logs.push(l),
  });
  // Both ways through the bridge: the publish node's key and the open data
  // of the ticker, each read back by a subscribe node. No restart_policy:
  // a node that failed would end the run with an error.
  await using df = await tempDataflow(`nodes:
  - id: ticker
    path: ticker.ts
    inputs: { tick: dora/timer/millis/20 }
    outputs: [n]
  - id: to-zenoh
    zenoh: { publish: demo/loop }
    inputs: { n: ticker/n }
  - id: from-zenoh
    zenoh: { subscribe: demo/loop }
    outputs: [n]
  - id: from-open-data
    zenoh: { subscribe: "dora/default/*/output/ticker/n" }
    outputs: [n]
  - id: sink
    path: sink.ts
    inputs: { loop: from-zenoh/n, open: from-open-data/n }
`);
  await Deno.writeTextFile(
    `${df.dir}/ticker.ts`,
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const e of node) if (e.type === "INPUT") await node.sendOutput("n", [++n]);
`,
  );
  await Deno.writeTextFile(
    `${df.dir}/sink.ts`,
    `import { Node } from "dora";
const node = await Node.init();
const got: Record<string, number> = { loop: 0, open: 0 };
for await (const e of node) {
  if (e.type === "INPUT" && ++got[e.id] % 10 === 0) console.log(e.id + " got " + got[e.id]);
}
`,
  );
  const dora = new DoraProcess([
    "run",
    df.path,
    "--debug",
    "--zenoh-endpoint",
    `ws/127.0.0.1:${ports.ws}`,
  ]);
  const newest = (which: string) =>
    Math.max(
      0,
      ...dora.lines.map((l) =>
        Number(new RegExp(`${which} got (\\d+)`).exec(l)?.[1] ?? 0)
      ),
    );
  const count = (re: RegExp) => dora.lines.filter((l) => re.test(l)).length;
  try {
    await dora.waitForLine(/loop got 20\b/);
    await dora.waitForLine(/open got 20\b/);
    Deno.kill(bridge.pid!, "SIGKILL");
    // One warning per session: open data, the publish node, both subscribers.
    await waitUntil(
      () => count(/lost the zenoh bridge at ws\/127\.0\.0\.1/) >= 4,
      "the warnings about the lost bridge",
      { detail: () => dora.lines.join("\n") },
    );
    assert.equal(count(/open data: lost the zenoh bridge/), 1);
    await waitUntil(
      () => logs.some((l) => /zenoh bridge restarted/.test(l)),
      "the bridge's restart",
      { detail: () => logs.join("\n") },
    );
    await waitUntil(
      () => count(/reconnected to the zenoh bridge at ws\/127\.0\.0\.1/) >= 4,
      "the reconnections",
      { detail: () => dora.lines.join("\n") },
    );
    const loop = newest("loop");
    const open = newest("open");
    await dora.waitForLine(new RegExp(`loop got ${loop + 20}\\b`));
    await dora.waitForLine(new RegExp(`open got ${open + 20}\\b`));
    // A bridge that does not come back: the nodes and the run still stop.
    await bridge.stop();
    await waitUntil(
      () => count(/lost the zenoh bridge at ws\/127\.0\.0\.1/) >= 8,
      "the warnings about the stopped bridge",
      { detail: () => dora.lines.join("\n") },
    );
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /restart/i);
  } finally {
    try {
      dora.kill("SIGKILL");
    } catch {
      // ended
    }
    await dora.result();
    await bridge.stop();
  }
});

Deno.test("dora run --zenoh --debug runs its own bridge, which a Python peer reads, and stops it at the end", async () => {
  const ports = bridgePorts();
  await using df = await tempDataflow(`nodes:
  - id: counter
    path: counter.ts
    inputs: { tick: dora/timer/millis/50 }
    outputs: [n]
`);
  await Deno.writeTextFile(
    `${df.dir}/counter.ts`,
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const e of node) if (e.type === "INPUT") await node.sendOutput("n", [++n]);
`,
  );
  const dora = new DoraProcess([
    "run",
    df.path,
    "--debug",
    "--zenoh",
    "--zenoh-endpoint",
    `ws/127.0.0.1:${ports.ws}`,
    "--zenoh-listen",
    `tcp/127.0.0.1:${ports.zenoh}`,
  ], { env: { DORA_ZENOH_BRIDGE: zenohBridge() } });
  let peer: OutsideProcess | undefined;
  try {
    const started = await dora.waitForLine(/started zenoh bridge \(pid \d+\)/);
    const pid = Number(/pid (\d+)/.exec(started)![1]);
    peer = new OutsideProcess("python3", [
      "-c",
      `import json, sys, threading, zenoh
conf = zenoh.Config.from_json5(json.dumps({"mode": "client", "connect": {"endpoints": ["tcp/127.0.0.1:${ports.zenoh}"]}, "transport": {"shared_memory": {"enabled": False}}}))
s = zenoh.open(conf)
got = []
done = threading.Event()
def on(sample):
    got.append(json.loads(sample.payload.to_bytes())[0])
    if len(got) == 5: done.set()
sub = s.declare_subscriber("dora/default/*/output/counter/n", on)
print("SUCCESS" if done.wait(60) else "FAILURE", got[:5], flush=True)
`,
    ]);
    const line = await peer.waitForLine(/SUCCESS|FAILURE/);
    assert.match(line, /^SUCCESS/, peer.output);
    // Consecutive counter values: the open data keeps the output's order.
    const values = JSON.parse(line.slice("SUCCESS ".length));
    for (let i = 1; i < 5; i++) assert.equal(values[i], values[0] + i);
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    await waitUntil(() => !processAlive(pid), "the bridge's end");
  } finally {
    await peer?.close();
    try {
      dora.kill("SIGKILL");
    } catch {
      // ended
    }
    await dora.result();
  }
});
