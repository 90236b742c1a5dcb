/**
 * The Python node API matches the original where the issue asks: the node's
 * run configuration and the dataflow descriptor in the original's shapes, and
 * a send on an undeclared output warns once and is dropped (TypeScript keeps
 * throwing).
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

const INFO_PY = `import json
from dora import Node
node = Node()
print("CONFIG " + json.dumps(node.node_config(), sort_keys=True), flush=True)
d = node.dataflow_descriptor()
print("DESCRIPTOR " + json.dumps({"ids": [n["id"] for n in d["nodes"]], "env": d.get("env")}), flush=True)
node.send_output("nope", [1])
node.send_output("nope", [2])
node.send_output("b", [3])
`;

const SINK_PY = `from dora import Node
for event in Node():
    if event["type"] == "INPUT":
        print("sink got", event["id"], event["value"].to_pylist(), flush=True)
`;

Deno.test("Python node_config() and dataflow_descriptor() have the original's shapes; undeclared outputs warn once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-node-info-" });
  try {
    Deno.writeTextFileSync(`${dir}/info.py`, INFO_PY);
    Deno.writeTextFileSync(`${dir}/sink.py`, SINK_PY);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `env:
  LEVEL: high
nodes:
  - id: info
    path: info.py
    inputs:
      tick:
        source: dora/timer/millis/500
        queue_size: 2
    outputs:
      - b
      - a
  - id: sink
    path: sink.py
    inputs:
      b: info/b
      a: info/a
`,
    );
    const r = await runDora(["run", "dataflow.yml", "--stop-after", "20s"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(/CONFIG (\{.*\})/.exec(r.stderr)![1]!);
    assert.deepEqual(config, {
      inputs: { tick: { source: "dora/timer/millis/500", queue_size: 2 } },
      outputs: ["a", "b"],
    });
    const descriptor = JSON.parse(/DESCRIPTOR (\{.*\})/.exec(r.stderr)![1]!);
    assert.deepEqual(descriptor, {
      ids: ["info", "sink"],
      env: { LEVEL: "high" },
    });
    const warnings = r.stderr.split("\n").filter((l) =>
      /has no output "nope"/.test(l)
    );
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /WARN/);
    assert.match(r.stderr, /sink: sink got b \[3\]/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
