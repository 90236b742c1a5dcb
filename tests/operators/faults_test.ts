/**
 * End to end: bad operators and operator faults through a real `dora run`.
 * A module without `Operator` fails the start (naming node, operator and
 * file); an exception in `__init__` / `on_event` / `onEvent` fails that
 * runtime node with the traceback or stack while other nodes keep running,
 * and its restart policy applies; `STOP_ALL` stops the whole dataflow.
 */
import assert from "node:assert/strict";
import { runDora, tempDataflow } from "../_support/dora.ts";

/** A node that ticks 15 times and exits: it shows that the dataflow went on. */
const STEADY = `
  - id: steady
    path: steady.py
    inputs:
      tick: dora/timer/millis/20
`;
const STEADY_PY = `from dora import Node
node = Node()
n = 0
for event in node:
    if event["type"] == "INPUT":
        n += 1
        if n == 15:
            break
print(f"steady: {n} ticks")
`;

async function write(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
}

const BOUND = ["--stop-after", "60s"];

Deno.test("dora run refuses a Python operator file without Operator before start, naming node, operator and file", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: vision
    operators:
      - id: detect
        python: detect.py
        inputs:
          tick: dora/timer/millis/20
${STEADY}`);
  await write(df.dir, {
    "detect.py": "class Detector:\n    pass\n",
    "steady.py": STEADY_PY,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /operator "detect" of node "vision": \S+\/detect\.py defines no `Operator` class/,
  );
  assert.match(run.stderr, /node "vision" exited before connecting/);
  // The start failed: the other node never got a tick.
  assert.doesNotMatch(run.stderr, /steady: 15 ticks/);
});

Deno.test("dora run refuses a TypeScript operator module without Operator before start", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      typescript: op.ts
      inputs:
        tick: dora/timer/millis/20
`);
  await write(df.dir, { "op.ts": "export const answer = 42;\n" });
  const run = await runDora(["run", df.path, ...BOUND]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /operator "op" of node "pipeline": \S+\/op\.ts defines no operator: export `class Operator/,
  );
});

Deno.test("dora run reports a Python import error of an operator with its traceback", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      python: op.py
      inputs:
        tick: dora/timer/millis/20
`);
  await write(df.dir, { "op.py": "import not_a_real_module_xyz\n" });
  const run = await runDora(["run", df.path, ...BOUND]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /cannot import \S+\/op\.py/);
  assert.match(
    run.stderr,
    /ModuleNotFoundError: No module named 'not_a_real_module_xyz'/,
  );
});

Deno.test("dora run fails the runtime node whose Operator __init__ raises, with the traceback, and the others keep running", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: vision
    operator:
      python: detect.py
      inputs:
        tick: dora/timer/millis/20
${STEADY}`);
  await write(df.dir, {
    "detect.py": `class Operator:
    def __init__(self):
        self.model = load_model()

    def on_event(self, dora_event, send_output):
        pass


def load_model():
    return 1 / 0
`,
    "steady.py": STEADY_PY,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.code, 1, output);
  assert.match(output, /Traceback \(most recent call last\)/);
  assert.match(output, /detect\.py", line 3, in __init__/);
  assert.match(
    output,
    /error: operator "op" of node "vision" failed in __init__: ZeroDivisionError: division by zero/,
  );
  assert.match(output, /steady: 15 ticks/);
  assert.match(output, /node "vision" failed: exited with code 1/);
});

Deno.test("dora run restarts a runtime node whose operator raised in on_event (restart policy)", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: vision
    restart_policy: on-failure
    max_restarts: 1
    operator:
      python: detect.py
      inputs:
        tick: dora/timer/millis/20
      outputs: [seen]
  - id: sink
    path: sink.py
    inputs:
      seen: vision/seen
`);
  await write(df.dir, {
    // The first life fails on its second event; the restarted one works.
    "detect.py": `import json, os
import pyarrow as pa
from dora import DoraStatus

RESTARTS = json.loads(os.environ["DORA_NODE_CONFIG"])["restart_count"]


class Operator:
    def __init__(self):
        self.n = 0

    def on_event(self, dora_event, send_output):
        if dora_event["type"] == "INPUT":
            self.n += 1
            if RESTARTS == 0 and self.n == 2:
                raise RuntimeError("camera lost")
            send_output("seen", pa.array([RESTARTS]))
            if self.n == 3:
                return DoraStatus.STOP
        return DoraStatus.CONTINUE
`,
    "sink.py": `from dora import Node
node = Node()
lives = []
for event in node:
    if event["type"] == "INPUT":
        lives.append(event["value"][0].as_py())
print(f"sink: lives {lives}")
`,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(output, /RuntimeError: camera lost/);
  assert.match(
    output,
    /operator "op" of node "vision" failed in on_event \(INPUT "tick"\): RuntimeError: camera lost/,
  );
  // One message of the first life, then the three of the restarted one.
  assert.match(output, /sink: lives \[0, 1, 1, 1\]/);
  assert.equal(run.code, 0, output);
});

Deno.test("dora run fails a runtime node whose TypeScript operator throws, with its stack", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      typescript: op.ts
      inputs:
        tick: dora/timer/millis/20
${STEADY}`);
  await write(df.dir, {
    "op.ts": `export class Operator {
  onEvent(event: { type: string }) {
    if (event.type === "INPUT") this.calibrate();
  }
  calibrate(): never {
    throw new TypeError("no calibration file");
  }
}
`,
    "steady.py": STEADY_PY,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.code, 1, output);
  assert.match(output, /at Operator\.calibrate \(file:\/\/\S+\/op\.ts:6:11\)/);
  assert.match(
    output,
    /error: operator "op" of node "pipeline" failed in onEvent \(INPUT "tick"\): no calibration file/,
  );
  assert.match(output, /steady: 15 ticks/);
});

Deno.test("dora run stops the whole dataflow when an operator returns STOP_ALL", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      python: op.py
      inputs:
        tick: dora/timer/millis/20
  - id: forever
    path: forever.py
    inputs:
      tick: dora/timer/millis/20
`);
  await write(df.dir, {
    "op.py": `from dora import DoraStatus


class Operator:
    def __init__(self):
        self.n = 0

    def on_event(self, dora_event, send_output):
        if dora_event["type"] == "INPUT":
            self.n += 1
            if self.n == 3:
                print("enough")
                return DoraStatus.STOP_ALL
        return DoraStatus.CONTINUE
`,
    "forever.py": `from dora import Node
node = Node()
for event in node:
    if event["type"] == "STOP":
        print(f"forever: stopped ({event['id']})")
`,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(output, /pipeline: op: enough/);
  assert.match(output, /node "pipeline" asked to stop the dataflow/);
  assert.match(output, /forever: stopped \(MANUAL\)/);
  assert.doesNotMatch(output, /--stop-after 60s elapsed/);
  assert.equal(run.code, 0, output);
});

Deno.test("dora run fails an operator whose on_event returns something else than a DoraStatus", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: pipeline
    operator:
      python: op.py
      inputs:
        tick: dora/timer/millis/20
`);
  await write(df.dir, {
    "op.py": `class Operator:
    def on_event(self, dora_event, send_output):
        return "continue"
`,
  });
  const run = await runDora(["run", df.path, ...BOUND]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /operator "op" of node "pipeline" failed: ValueError: on_event returned 'continue', not a DoraStatus/,
  );
});
