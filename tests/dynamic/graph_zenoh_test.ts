/**
 * Graph changes of a dataflow whose daemons talk over zenoh: an edge that
 * a change brings between machines (a node added on one machine reading a
 * node on the other, `dora node connect` across machines) is subscribed to
 * at once.
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

Deno.test("over zenoh, dora node add and dora node connect wire new edges across machines", async () => {
  await using df = await startCluster(YAML, {
    machines: ["A", "B"],
    zenoh: true,
  });
  await df.saw("ts", /"type":"INPUT"/);
  // counter2/value is read on machine A: a key A did not subscribe to.
  const file = df.sb.write(
    "more.yml",
    `
- id: counter2
  _unstable_deploy: { machine: B }
  path: ${dyn("counter.ts")}
  inputs: { tick: dora/timer/millis/30 }
  outputs: [value]
  env: { STEP: "100" }
- id: counter3
  _unstable_deploy: { machine: B }
  path: ${dyn("counter.ts")}
  inputs: { tick: dora/timer/millis/30 }
  outputs: [value]
  env: { STEP: "1000" }
- id: on_a
  _unstable_deploy: { machine: A }
  path: ${dyn("watcher.ts")}
  inputs: { b: counter2/value }
`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 0, add.stderr);
  await df.saw("on_a", /"type":"INPUT","id":"b","value":[1-9]\d*00(\.0)?}/);
  // And a new edge from B to A through `dora node connect`.
  const c = await df.dora(["node", "connect", "counter3/value", "on_a/c"]);
  assert.equal(c.code, 0, c.stderr);
  await df.saw("on_a", /"type":"INPUT","id":"c","value":[1-9]\d*000(\.0)?}/);
});
