/**
 * End to end through a coordinator and two daemons: a runtime node runs its
 * operators on one machine, its output reaches a node on the other, and an
 * operator's STOP_ALL stops the dataflow on both.
 */
import assert from "node:assert/strict";
import { Sandbox } from "../_support/cluster.ts";

Deno.test("dora start runs operators on a daemon and STOP_ALL stops every machine", async () => {
  const sb = await Sandbox.create();
  const yml = sb.write(
    "dataflow.yml",
    `nodes:
  - id: pipeline
    _unstable_deploy: { machine: A }
    operators:
      - id: counter
        typescript: counter.ts
        inputs:
          tick: dora/timer/millis/20
          ack: sink/ack
        outputs: [count]
      - id: doubler
        typescript: doubler.ts
        inputs:
          count: pipeline/counter/count
        outputs: [doubled]
  - id: sink
    _unstable_deploy: { machine: B }
    path: sink.py
    inputs:
      doubled: pipeline/doubler/doubled
      # Keeps the sink running after the pipeline ended: only a stop ends it.
      tick: dora/timer/millis/100
    outputs: [ack]
`,
  );
  sb.write(
    "counter.ts",
    `import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
export class Operator {
  n = 0;
  onEvent(event: OperatorEvent, send: SendOutput) {
    if (event.type === "INPUT" && event.id === "tick") send("count", [++this.n]);
    // The sink on the other machine has seen three values: stop everything.
    if (event.type === "INPUT" && event.id === "ack") return DoraStatus.STOP_ALL;
    return DoraStatus.CONTINUE;
  }
}
`,
  );
  sb.write(
    "doubler.ts",
    `import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
export class Operator {
  onEvent(event: OperatorEvent, send: SendOutput) {
    if (event.type === "INPUT") send("doubled", [Number(event.value.get(0)) * 2]);
    return DoraStatus.CONTINUE;
  }
}
`,
  );
  sb.write(
    "sink.py",
    `import pyarrow as pa
from dora import Node
node = Node()
seen = 0
for event in node:
    if event["type"] == "INPUT" and event["id"] == "doubled":
        seen += 1
        print(f"sink got {event['value'][0].as_py()}", flush=True)
        if seen == 3:
            node.send_output("ack", pa.array([seen]))
    elif event["type"] == "STOP":
        print(f"sink stopped ({event['id']})", flush=True)
`,
  );
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora(["start", yml, "--attach"]);
    const output = r.stdout + r.stderr;
    assert.match(output, /sink got 2\.0/);
    assert.match(output, /sink got 6\.0/);
    assert.match(output, /sink stopped \(MANUAL\)/);
    assert.equal(r.code, 0, output);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora start --hot-reload reloads a changed operator on the daemon", async () => {
  const sb = await Sandbox.create();
  const yml = sb.write(
    "dataflow.yml",
    `nodes:
  - id: pipeline
    operator:
      typescript: op.ts
      inputs:
        tick: dora/timer/millis/30
      outputs: [out]
  - id: sink
    path: sink.py
    inputs:
      text: pipeline/out
`,
  );
  const op = (version: string) =>
    `export class Operator {
  onEvent(event: { type: string }, send: (id: string, v: string[]) => void) {
    if (event.type === "INPUT") send("out", ["${version}"]);
  }
}
`;
  sb.write("op.ts", op("v1"));
  sb.write(
    "sink.py",
    `from dora import Node
node = Node()
for event in node:
    if event["type"] == "INPUT":
        print(f"sink got {event['value'][0].as_py()}", flush=True)
`,
  );
  try {
    await sb.coordinator();
    await sb.daemon();
    const run = sb.spawn(["start", yml, "--attach", "--hot-reload"]);
    await run.waitFor(/sink got v1/);
    sb.write("op.ts", op("v2"));
    await run.waitFor(/operator "op" of node "pipeline" reloaded from/);
    await run.waitFor(/sink got v2/);
    const stop = await sb.dora(["stop", "--all"]);
    assert.equal(stop.code, 0, stop.stderr);
  } finally {
    await sb.cleanup();
  }
});
