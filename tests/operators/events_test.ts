/**
 * End to end: operators get the events a node gets, under their own input
 * ids — INPUT_CLOSED, NODE_FAILED and STOP — and their printed lines and log
 * records are attributed to them (log file, `min_log_level`,
 * `send_logs_as`).
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";

Deno.test("dora run delivers NODE_FAILED, INPUT_CLOSED and STOP to Python operators under their own input ids", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: flaky
    path: flaky.py
    inputs:
      tick: dora/timer/millis/20
    outputs: [reading]
  - id: monitor
    operators:
      - id: watch
        python: watch.py
        inputs:
          reading: flaky/reading
        outputs: [note]
      - id: echo
        python: echo.py
        inputs:
          note: monitor/watch/note
`);
  await Deno.writeTextFile(
    `${df.dir}/flaky.py`,
    `import sys
import pyarrow as pa
from dora import Node
node = Node()
n = 0
for event in node:
    if event["type"] == "INPUT":
        n += 1
        node.send_output("reading", pa.array([n]))
        if n == 3:
            node.close()
            sys.exit(3)
`,
  );
  const recorder = (name: string, forward: boolean) =>
    `import pyarrow as pa
from dora import DoraStatus


class Operator:
    def on_event(self, dora_event, send_output):
        t = dora_event["type"]
        if t == "INPUT":
            print(f"${name} INPUT {dora_event['id']} {dora_event['value'][0].as_py()}")
            ${forward ? 'send_output("note", pa.array(["n"]))' : "pass"}
        elif t == "NODE_FAILED":
            v = dora_event["value"]
            print(f"${name} NODE_FAILED {dora_event['id']} {v['affected_input_ids']}")
        else:
            print(f"${name} {t} {dora_event.get('id')}")
        return DoraStatus.CONTINUE
`;
  await Deno.writeTextFile(`${df.dir}/watch.py`, recorder("watch", true));
  await Deno.writeTextFile(`${df.dir}/echo.py`, recorder("echo", false));
  const run = await runDora(["run", df.path, "--stop-after", "60s"]);
  const output = `${run.stdout}\n${run.stderr}`;
  const lines = (name: string) =>
    [...output.matchAll(new RegExp(`monitor: ${name}: (.*)`, "g"))].map((m) =>
      m[1]
    );
  // NODE_FAILED may overtake queued data (it is not an input); the input
  // closes after its data, and STOP comes last.
  const watch = lines("watch");
  assert.deepEqual(watch.filter((l) => l.includes("INPUT ")), [
    "watch INPUT reading 1",
    "watch INPUT reading 2",
    "watch INPUT reading 3",
  ]);
  assert.ok(watch.includes("watch NODE_FAILED flaky ['reading']"), output);
  assert.deepEqual(watch.slice(-2), [
    "watch INPUT_CLOSED reading",
    "watch STOP ALL_INPUTS_CLOSED",
  ]);
  assert.equal(watch.length, 6, output);
  // The operator downstream of it in the same node: its input closes when
  // `watch` is done.
  assert.deepEqual(lines("echo"), [
    "echo INPUT note n",
    "echo INPUT note n",
    "echo INPUT note n",
    "echo INPUT_CLOSED note",
    "echo STOP ALL_INPUTS_CLOSED",
  ]);
  assert.match(output, /node "flaky" failed: exited with code 3/);
});

Deno.test("dora run logs operator lines with the operator as target and applies its min_log_level and send_logs_as", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operators:
      - id: chatty
        python: chatty.py
        min_log_level: info
        send_logs_as: logs
        inputs:
          tick: dora/timer/millis/20
        outputs: [logs]
  - id: tsnode
    operators:
      - id: quiet
        typescript: quiet.ts
        inputs:
          tick: dora/timer/millis/20
  - id: collector
    path: collector.py
    inputs:
      logs: pipeline/chatty/logs
`);
  await Deno.writeTextFile(
    `${df.dir}/chatty.py`,
    `import logging
from dora import DoraStatus


class Operator:
    def on_event(self, dora_event, send_output):
        if dora_event["type"] == "INPUT":
            print("a printed line")
            logging.info("calibrated")
            logging.debug("hidden detail")
            return DoraStatus.STOP
        return DoraStatus.CONTINUE
`,
  );
  await Deno.writeTextFile(
    `${df.dir}/quiet.ts`,
    `export class Operator {
  onEvent(event: { type: string }) {
    if (event.type === "INPUT") {
      console.log("ts printed");
      console.warn("ts warning");
      return 1;
    }
  }
}
`,
  );
  await Deno.writeTextFile(
    `${df.dir}/collector.py`,
    `import json
from dora import Node
node = Node()
for event in node:
    if event["type"] == "INPUT":
        r = json.loads(event["value"][0].as_py())
        print(f"collector: {r['level']} {r['target']} {r['msg']}")
`,
  );
  const run = await runDora(["run", df.path, "--stop-after", "60s"]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.code, 0, output);
  assert.match(output, /collector: info chatty calibrated/);
  assert.doesNotMatch(output, /hidden detail|a printed line/);
  const id = /dataflow ([0-9a-f-]{36}) started/.exec(run.stderr)![1]!;
  const of = async (node: string, target: string) =>
    (await Deno.readTextFile(`${df.dir}/out/${id}/log_${node}.jsonl`))
      .trim().split("\n").map((l) => JSON.parse(l))
      .filter((r) => r.target === target)
      .map((r) => `${r.level} ${r.msg}`);
  assert.deepEqual(await of("pipeline", "chatty"), ["info calibrated"]);
  assert.deepEqual(await of("tsnode", "quiet"), [
    "stdout ts printed",
    "warn ts warning",
  ]);
});
