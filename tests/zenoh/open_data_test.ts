/**
 * Open data and the built-in zenoh nodes against the official Python
 * client (`eclipse-zenoh`) through a real bridge: `dora run --debug`
 * publishes every output, a `zenoh: {publish}` node publishes its input, a
 * `zenoh: {subscribe}` node feeds what the Python peer publishes into the
 * dataflow; and a bridge that is not there is an error naming it.
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

Deno.test("zenoh nodes that lose their bridge fail, and restarted by their restart_policy, carry data again once it is back", async () => {
  const ports = bridgePorts();
  const logs: string[] = [];
  const bridge = await SupervisedBridge.start({
    program: zenohBridge(),
    endpoint: `ws/127.0.0.1:${ports.ws}`,
    listen: [`tcp/127.0.0.1:${ports.zenoh}`],
    connect: [],
    log: (l) => logs.push(l),
  });
  await using df = await tempDataflow(`nodes:
  - id: ticker
    path: ticker.ts
    inputs: { tick: dora/timer/millis/20 }
    outputs: [n]
  - id: to-zenoh
    zenoh: { publish: demo/loop }
    inputs: { n: ticker/n }
    restart_policy: on-failure
    restart_delay: 0.2
    max_restart_delay: 0.5
  - id: from-zenoh
    zenoh: { subscribe: demo/loop }
    outputs: [n]
    restart_policy: on-failure
    restart_delay: 0.2
    max_restart_delay: 0.5
  - id: sink
    path: sink.ts
    inputs: { n: from-zenoh/n }
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
let got = 0;
for await (const e of node) {
  if (e.type === "INPUT" && ++got % 10 === 0) console.log("got " + got);
}
`,
  );
  const dora = new DoraProcess([
    "run",
    df.path,
    "--zenoh-endpoint",
    `ws/127.0.0.1:${ports.ws}`,
  ]);
  try {
    await dora.waitForLine(/got 20\b/);
    const pid = bridge.pid!;
    Deno.kill(pid, "SIGKILL");
    await dora.waitForLine(/lost the zenoh bridge at ws\/127\.0\.0\.1/);
    await waitUntil(
      () => logs.some((l) => /zenoh bridge restarted/.test(l)),
      "the bridge's restart",
      { detail: () => logs.join("\n") },
    );
    const seen = Math.max(
      ...dora.lines.map((l) => Number(/got (\d+)/.exec(l)?.[1] ?? 0)),
    );
    await dora.waitForLine(new RegExp(`got ${seen + 20}\\b`));
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
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
