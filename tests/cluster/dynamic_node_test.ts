/**
 * `path: dynamic` nodes started by hand (TypeScript `Node.init({ nodeId })`
 * and Python `Node(node_id=…)`) join the running dataflow that declares them
 * and receive its data.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";

const DATAFLOW = `nodes:
  - id: counter
    path: counter.ts
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - count
  - id: ts-listener
    path: dynamic
    inputs:
      count: counter/count
  - id: py-listener
    path: dynamic
    inputs:
      count: counter/count
`;

const COUNTER_TS = `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT") await node.sendOutput("count", [++n]);
  else if (event.type === "STOP") break;
}
`;

const LISTENER_TS = `import { Node } from "file://${ROOT}/nodes/api/ts/mod.ts";
const node = await Node.init({ nodeId: "ts-listener" });
const got: number[] = [];
for await (const event of node) {
  if (event.type === "INPUT") got.push(Number(event.value.get(0)));
  if (got.length === 5) break;
}
const increasing = got.every((v, i) => i === 0 || v === got[i - 1] + 1);
console.log("ts-listener got 5 increasing: " + increasing);
Deno.exit(0);
`;

const LISTENER_PY = `from dora import Node
node = Node(node_id="py-listener")
got = []
for event in node:
    if event["type"] == "INPUT":
        got.append(event["value"][0].as_py())
        if len(got) == 5:
            break
increasing = all(b == a + 1 for a, b in zip(got, got[1:]))
print(f"py-listener got 5 increasing: {increasing}", flush=True)
`;

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

Deno.test("dynamic TypeScript and Python nodes join a running dataflow and receive data", async () => {
  const sb = await Sandbox.create();
  const runtime = `${sb.dir}/run`;
  Deno.mkdirSync(runtime, { mode: 0o700 });
  const env = { XDG_RUNTIME_DIR: runtime };
  sb.write("counter.ts", COUNTER_TS);
  sb.write("listener.ts", LISTENER_TS);
  sb.write("listener.py", LISTENER_PY);
  const yml = sb.write("dataflow.yml", DATAFLOW);
  try {
    await sb.coordinator();
    await sb.daemon([], env);
    const start = await sb.dora(
      ["start", yml, "--name", "dyn", "--detach"],
      env,
    );
    assert.equal(start.code, 0, start.stderr);

    const nodeEnv = { ...sb.env, ...env };
    const [ts, py] = await Promise.all([
      run(
        Deno.execPath(),
        [
          "run",
          "-A",
          "--no-prompt",
          "--config",
          `${ROOT}/deno.json`,
          `${sb.dir}/listener.ts`,
        ],
        nodeEnv,
        sb.dir,
      ),
      run("python3", [`${sb.dir}/listener.py`], {
        ...nodeEnv,
        PYTHONPATH: `${ROOT}/nodes/api/python`,
      }, sb.dir),
    ]);
    assert.equal(ts.code, 0, ts.stderr);
    assert.match(ts.stdout, /ts-listener got 5 increasing: true/);
    assert.equal(py.code, 0, py.stderr);
    assert.match(py.stdout, /py-listener got 5 increasing: True/);

    // Asking for a node nobody declares fails with a clear message.
    const bad = await run("python3", [
      "-c",
      'from dora import Node; Node(node_id="nope")',
    ], {
      ...nodeEnv,
      PYTHONPATH: `${ROOT}/nodes/api/python`,
    }, sb.dir);
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /no running dataflow .* declares a dynamic node "nope"/,
    );

    const stop = await sb.dora(["stop", "dyn"]);
    assert.equal(stop.code, 0, stop.stderr + stop.stdout);
  } finally {
    await sb.cleanup();
  }
});
