/**
 * `dora node add/remove/replace/connect/disconnect` on a dataflow started
 * through a coordinator, with real TypeScript and Python nodes: what joins
 * runs with its timers and parameters, what leaves runs its stop ladder,
 * bad changes are refused with errors naming the node, port or edge, and
 * change nothing.
 */
import assert from "node:assert/strict";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";
import { dyn, startCluster } from "./_cluster.ts";

const YAML = `
nodes:
  - id: counter
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
`;

Deno.test("dora node add starts a Python and a TypeScript node with their own timer, inputs and params; dora node remove --force closes their readers' input", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const file = df.sb.write(
    "more.yml",
    `
- id: py
  path: ${dyn("watcher.py")}
  inputs:
    value: counter/value
    tick: dora/timer/millis/20
  params: { threshold: 0.25 }
- id: counter2
  path: ${dyn("counter.ts")}
  inputs: { tick: dora/timer/millis/30 }
  outputs: [value]
  env: { STEP: "100" }
- id: ts2
  path: ${dyn("watcher.ts")}
  inputs: { value: counter2/value }
`,
  );
  const add = await df.dora([
    "node",
    "add",
    "--from-yaml",
    file,
    "--format",
    "json",
  ]);
  assert.equal(add.code, 0, add.stderr);
  const r = JSON.parse(add.stdout);
  assert.deepEqual(r.added, ["counter2", "py", "ts2"]);
  assert.equal(r.revision, 1);
  const py = (await df.saw("py", /"type":"START"/))[0]!;
  assert.deepEqual(JSON.parse(py.slice(6)).params, { threshold: 0.25 });
  await df.saw("py", /"type":"INPUT","id":"tick"/);
  await df.saw("py", /"type":"INPUT","id":"value"/);
  await df.saw("ts2", /"type":"INPUT","id":"value","value":[1-9]\d*00(\.0)?}/);
  // Parameters of added nodes are stored like the others.
  const get = await df.dora(["param", "get", "py", "threshold"]);
  assert.equal(get.stdout.trim(), "0.25");
  const list = await df.dora(["list", "--format", "json"]);
  assert.equal(JSON.parse(list.stdout.trim()).nodes, 5);

  const refused = await df.dora(["node", "remove", "counter2"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /node "counter2" still feeds "ts2\/value"/);
  const remove = await df.dora([
    "node",
    "remove",
    "counter2",
    "--force",
    "--grace",
    "3s",
  ]);
  assert.equal(remove.code, 0, remove.stderr);
  assert.match(
    remove.stdout,
    /removed "counter2"; disconnected "ts2\/value" in dataflow "demo" \(revision 2\)/,
  );
  await df.saw("counter2", /^counter stop MANUAL$/);
  await df.saw("ts2", /"type":"INPUT_CLOSED","id":"value"/);
  // The others run on; the stored graph no longer has counter2.
  const n = df.events("py").length;
  await df.saw("py", /"type":"INPUT"/, n + 3);
  const expand = await df.dora(["expand", "demo"]);
  assert.doesNotMatch(expand.stdout, /counter2/);
  assert.match(expand.stdout, /id: ts2/);
});

Deno.test("dora node replace restarts a node with its new definition: NODE_RESTARTED downstream, no INPUT_CLOSED", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT","id":"value","value":3\b/);
  const file = df.sb.write(
    "counter-v2.yml",
    `id: counter
path: ${dyn("counter.ts")}
inputs: { tick: dora/timer/millis/50 }
outputs: [value]
env: { STEP: "10" }
`,
  );
  const replace = await df.dora([
    "node",
    "replace",
    "counter",
    "--from-yaml",
    file,
    "--grace",
    "5s",
  ]);
  assert.equal(replace.code, 0, replace.stderr);
  assert.match(
    replace.stdout,
    /replaced "counter" in dataflow "demo" \(revision 1\)/,
  );
  await df.saw("counter", /^counter start restart=1$/);
  await df.saw("ts", /"type":"NODE_RESTARTED","id":"counter"/);
  // After the swap the values come from the new definition: 10, 20, 30, …
  // (three in a row: the old process counted 1, 2, 3, …).
  await waitUntil(() => {
    const inputs = df.events("ts").filter((e) => e.type === "INPUT");
    return inputs.length >= 3 &&
      inputs.slice(-3).every((e) => Number(e.value) % 10 === 0);
  }, "three inputs from the new definition");
  const events = df.events("ts");
  assert.equal(events.filter((e) => e.type === "INPUT_CLOSED").length, 0);
  const expand = await df.dora(["expand", "demo"]);
  assert.match(expand.stdout, /STEP: "10"/);
});

Deno.test("two graph changes at once are made one after the other and both answered", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const [a, b] = await Promise.all([
    df.dora([
      "node",
      "connect",
      "counter/value",
      "ts/second",
      "--format",
      "json",
    ]),
    df.dora([
      "node",
      "connect",
      "counter/value",
      "ts/third",
      "--queue-size",
      "2",
      "--format",
      "json",
    ]),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(
    [JSON.parse(a.stdout).revision, JSON.parse(b.stdout).revision].sort(),
    [1, 2],
  );
  await df.saw("ts", /"type":"INPUT","id":"second"/);
  await df.saw("ts", /"type":"INPUT","id":"third"/);
  const expand = await df.dora(["expand", "demo"]);
  assert.match(expand.stdout, /second: counter\/value/);
  assert.match(expand.stdout, /source: counter\/value\n\s+queue_size: 2/);
  // Disconnected again: the input closes after what was sent on it.
  const d = await df.dora(["node", "disconnect", "counter/value", "ts/second"]);
  assert.equal(d.code, 0, d.stderr);
  await df.saw("ts", /"type":"INPUT_CLOSED","id":"second"/);
});

Deno.test("bad graph changes are refused with errors naming the node, port, edge or file position, and change nothing", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const dup = df.sb.write("dup.yml", `id: ts\npath: ${dyn("watcher.ts")}\n`);
  const badField = df.sb.write(
    "bad.yml",
    `id: extra\npath: ${
      dyn("watcher.ts")
    }\ninputs:\n  value: counter/nope\nqueue_sise: 3\n`,
  );
  const missing = df.sb.write(
    "missing.yml",
    `id: extra\npath: ./not-there.py\n`,
  );
  const cases: [string[], number, RegExp][] = [
    [
      ["node", "add", "--from-yaml", dup],
      1,
      /dup\.yml:1:5: .*node "ts" already exists in dataflow "demo"/,
    ],
    [
      ["node", "add", "--from-yaml", badField],
      1,
      /bad\.yml:\d+:\d+: .*queue_sise/,
    ],
    [["node", "add", "--from-yaml", badField], 1, /bad\.yml:4:\d+: .*"nope"/],
    [
      ["node", "add", "--from-yaml", missing],
      1,
      /missing\.yml:2:7: .*not-there\.py/,
    ],
    [["node", "add", "--from-yaml", `${df.sb.dir}/none.yml`], 1, /none\.yml/],
    [
      ["node", "connect", "counter/valeu", "ts/x"],
      1,
      /node "counter" of dataflow "demo" has no output "valeu" \(did you mean "value"\?\)/,
    ],
    [
      ["node", "connect", "counter/value", "ts/value"],
      1,
      /input "value" of node "ts" already reads "counter\/value"/,
    ],
    [
      ["node", "connect", "counter/value", "nobody/x"],
      1,
      /dataflow "demo" has no node "nobody"/,
    ],
    [["node", "connect", "counter", "ts/x"], 2, /SRC must be NODE\/PORT/],
    [
      ["node", "connect", "counter/value", "ts/x", "--queue-policy", "lifo"],
      2,
      /--queue-policy must be one of/,
    ],
    [
      ["node", "disconnect", "counter/value", "ts/x"],
      1,
      /there is no edge from "counter\/value" to "ts\/x" \(node "ts" has no input "x"\)/,
    ],
    [
      ["node", "remove", "counter"],
      1,
      /node "counter" still feeds "ts\/value"/,
    ],
    [["node", "remove", "nobody"], 1, /has no node "nobody"/],
    [
      ["node", "replace", "ts", "--from-yaml", missing],
      1,
      /the node is "extra", not "ts"/,
    ],
  ];
  for (const [args, code, re] of cases) {
    const r = await df.dora(args);
    assert.equal(r.code, code, `${args.join(" ")}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
  }
  const g = await df.dora(["list", "--format", "json"]);
  assert.equal(JSON.parse(g.stdout.trim()).nodes, 2);
  const expand = await df.dora(["expand", "demo"]);
  assert.doesNotMatch(expand.stdout, /extra/);
  // Nothing changed: the revision is still 0 (the next change makes it 1).
  const ok = await df.dora([
    "node",
    "connect",
    "counter/value",
    "ts/again",
    "--format",
    "json",
  ]);
  assert.equal(JSON.parse(ok.stdout).revision, 1);
});

Deno.test("a node added at run time gets its restart policy and its logs like any other node", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const file = df.sb.write(
    "flaky.yml",
    `id: flaky
path: ${dyn("flaky.ts")}
inputs: { value: counter/value }
restart_policy: on-failure
restart_delay: 0.1
`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 0, add.stderr);
  await df.saw("flaky", /^flaky crash$/);
  await df.saw("flaky", /^flaky start restart=1$/);
  const logs = await df.dora(["logs", "demo", "flaky"]);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /flaky crash/);
  assert.match(logs.stdout, /flaky start restart=1/);
  const list = await df.dora(["list", "--format", "json"]);
  const row = JSON.parse(list.stdout.trim());
  assert.equal(row.status, "running");
  assert.equal(row.fault?.nodes?.flaky?.restarts, 1, list.stdout);
});

Deno.test("dora restart starts the edited graph, with the current parameters", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const file = df.sb.write(
    "py.yml",
    `id: py\npath: ${dyn("watcher.py")}\ninputs: { value: counter/value }\n`,
  );
  assert.equal(
    (await df.dora(["node", "add", "--from-yaml", file])).code,
    0,
  );
  assert.equal(
    (await df.dora(["param", "set", "py", "gain", "[1, 2]"])).code,
    0,
  );
  const restart = await df.dora(["restart", "demo"]);
  assert.equal(restart.code, 0, restart.stderr);
  const uuid = restart.stdout.trim();
  assert.notEqual(uuid, df.uuid);
  const log = () => readOrEmpty(`${df.sb.dir}/out/${uuid}/log_py.jsonl`);
  const start = await waitUntil(
    () => /EVENT \{\\"type\\":\\"START\\"[^\n]*/.exec(log())?.[0],
    "py's start in the restarted dataflow",
  );
  assert.match(start, /\\"params\\":\{\\"gain\\":\[1,2\]\}/);
  const expand = await df.dora(["expand", "demo"]);
  assert.match(expand.stdout, /id: py/);
});
