/**
 * Graph changes of a dataflow that runs on two daemons (machines A and B):
 * nodes join on the machine their `deploy` names, new edges cross machines,
 * and a change that involves a daemon that is gone fails naming it, with
 * nothing changed.
 */
import assert from "node:assert/strict";
import { dyn, startCluster } from "./_cluster.ts";

const YAML = `
nodes:
  - id: counter
    _unstable_deploy: { machine: A }
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    _unstable_deploy: { machine: B }
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
`;

Deno.test("dora node add places nodes on the machine they name and wires edges across daemons both ways", async () => {
  await using df = await startCluster(YAML, { machines: ["A", "B"] });
  await df.saw("ts", /"type":"INPUT"/);
  const file = df.sb.write(
    "more.yml",
    `
- id: counter2
  _unstable_deploy: { machine: B }
  path: ${dyn("counter.ts")}
  inputs: { tick: dora/timer/millis/30 }
  outputs: [value]
  env: { STEP: "100" }
- id: py
  _unstable_deploy: { machine: A }
  path: ${dyn("watcher.py")}
  inputs:
    a: counter/value
    b: counter2/value
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
  const ids = await df.dora(["status", "--format", "json"]);
  assert.equal(ids.code, 0, ids.stderr);
  const daemons = JSON.parse(ids.stdout).daemons as {
    daemonId: string;
    machineId?: string;
  }[];
  const machineOf = (d: string) =>
    daemons.find((x) => x.daemonId === d)?.machineId;
  assert.equal(machineOf(r.placed.counter2), "B");
  assert.equal(machineOf(r.placed.py), "A");
  // A local edge on A and one from B to A.
  await df.saw("py", /"type":"INPUT","id":"a"/);
  await df.saw("py", /"type":"INPUT","id":"b","value":[1-9]\d*00(\.0)?}/);
  // And a new edge from A to B.
  const c = await df.dora([
    "node",
    "connect",
    "counter/value",
    "counter2/extra",
  ]);
  assert.equal(c.code, 0, c.stderr);
  const c2 = await df.dora([
    "node",
    "connect",
    "counter2/value",
    "ts/hundreds",
  ]);
  assert.equal(c2.code, 0, c2.stderr);
  await df.saw("ts", /"type":"INPUT","id":"hundreds"/);
});

Deno.test("a graph change with a daemon of the dataflow gone fails naming it, and nothing changes", async () => {
  await using df = await startCluster(YAML, { machines: ["A", "B"] });
  await df.saw("ts", /"type":"INPUT"/);
  // The daemon of machine B (started last).
  const b = df.sb.procs.at(-1)!;
  await b.stop("SIGKILL");
  const file = df.sb.write(
    "extra.yml",
    `id: extra\n_unstable_deploy: { machine: A }\npath: ${
      dyn("watcher.ts")
    }\ninputs: { value: counter/value }\n`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 1, add.stdout);
  assert.match(add.stderr, /daemon "[^"]+" is not connected.*nothing changed/);
  const expand = await df.dora(["expand", "demo"]);
  assert.doesNotMatch(expand.stdout, /extra/);
});

Deno.test("a node that one daemon cannot start fails the whole change on every daemon, naming the daemon and the node", async () => {
  await using df = await startCluster(YAML, { machines: ["A", "B"] });
  await df.saw("ts", /"type":"INPUT"/);
  const file = df.sb.write(
    "two.yml",
    `
- id: watcher_a
  _unstable_deploy: { machine: A }
  path: ${dyn("watcher.ts")}
  inputs: { value: counter/value }
- id: sh
  _unstable_deploy: { machine: B }
  path: shell
  args: echo hello
`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 1, add.stdout);
  assert.match(
    add.stderr,
    /daemon "[^"]+": node "sh" uses `path: shell`, which runs arbitrary shell commands.*\(nothing changed\)/,
  );
  // Nothing started on A either, and the graph is as it was.
  const expand = await df.dora(["expand", "demo"]);
  assert.doesNotMatch(expand.stdout, /watcher_a/);
  const n = df.events("ts").length;
  await df.saw("ts", /"type":"INPUT"/, n + 3);
  assert.deepEqual(df.says("watcher_a"), []);
  const list = await df.dora(["list", "--format", "json"]);
  assert.equal(JSON.parse(list.stdout.trim()).nodes, 2);
});
