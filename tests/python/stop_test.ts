/**
 * End-to-end: Python nodes under a real `dora run` stop cleanly on a manual
 * stop, after exchanging shared-memory messages, and leave no region behind.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

const DATAFLOW = `nodes:
  - id: looper
    path: looper.py
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - out
  - id: listener
    path: listener.py
    inputs:
      x: looper/out
`;

const LOOPER = `import numpy as np
from dora import Node

node = Node()
sent = 0
for event in node:
    if event["type"] == "INPUT":
        node.send_output("out", np.arange(5000, dtype=np.float32), {"n": sent})  # 20 KB: shm
        sent += 1
    else:
        print("looper got", event["type"], event["id"])
print("looper exits")
`;

const LISTENER = `from dora import Node

node = Node()
bad = 0
for event in node:
    if event["type"] == "INPUT":
        if event["value"].to_numpy()[4999] != 4999:
            bad += 1
    else:
        print("listener got", event["type"], event["id"])
print(f"listener exits, bad values: {bad}")
`;

Deno.test("Python nodes get STOP MANUAL on --stop-after and their regions are removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-py-stop-" });
  try {
    await Deno.writeTextFile(`${dir}/dataflow.yml`, DATAFLOW);
    await Deno.writeTextFile(`${dir}/looper.py`, LOOPER);
    await Deno.writeTextFile(`${dir}/listener.py`, LISTENER);
    const run = await runDora([
      "run",
      `${dir}/dataflow.yml`,
      "--stop-after",
      "1s",
    ]);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.match(output, /looper: looper got STOP MANUAL/);
    assert.match(output, /listener: listener got STOP MANUAL/);
    assert.match(output, /listener: listener exits, bad values: 0/);
    assert.match(output, /looper: looper exits/);
    assert.deepEqual(run.code, 0, output);
    const id = /dataflow ([0-9a-f-]{36}) started/.exec(output)?.[1];
    assert.ok(id, output);
    const hex = id.replaceAll("-", "");
    const left = [...Deno.readDirSync("/dev/shm")].filter((e) =>
      e.name.startsWith(`dora-${hex}`)
    );
    assert.deepEqual(left.map((e) => e.name), [], output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
