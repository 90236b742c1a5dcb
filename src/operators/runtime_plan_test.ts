import assert from "node:assert/strict";
import { analyze } from "../descriptor/mod.ts";
import { OperatorError, planRuntime, reloadableOperators } from "./mod.ts";

async function dataflowOf(yaml: string, files: string[]) {
  const dir = await Deno.makeTempDir();
  for (const f of files) {
    await Deno.mkdir(`${dir}/${f.slice(0, f.lastIndexOf("/") + 1)}`, {
      recursive: true,
    });
    await Deno.writeTextFile(`${dir}/${f}`, "");
  }
  await Deno.writeTextFile(`${dir}/dataflow.yml`, yaml);
  const { dataflow } = await analyze(`${dir}/dataflow.yml`, {
    skipPaths: true,
  });
  return { dir, dataflow: dataflow! };
}

const YAML = `
nodes:
  - id: rt
    operators:
      - id: counter
        shared-library: build/counter
        inputs:
          tick: dora/timer/millis/10
        outputs: [count, debug]
      - id: relay
        typescript: relay.ts
        send_stdout_as: printed
        inputs:
          count: rt/counter/count
        outputs: [text, printed]
  - id: sink
    path: sink.ts
    inputs:
      text: rt/relay/text
      count: rt/counter/count
`;

Deno.test("planRuntime() picks the runtime, resolves files and routes each output", async () => {
  const { dir, dataflow } = await dataflowOf(YAML, [
    "build/libcounter.so",
    "relay.ts",
  ]);
  try {
    const rt = dataflow.nodes.find((n) => n.id === "rt")!;
    const plan = planRuntime(dataflow, rt, dir);
    assert.equal(plan.language, "deno");
    assert.equal(plan.ffi, true);
    assert.deepEqual(plan.readDirs.sort(), [dir, `${dir}/build`].sort());
    const [counter, relay] = plan.config.operators;
    assert.equal(counter!.kind, "shared-library");
    assert.equal(counter!.file, `${dir}/build/libcounter.so`);
    assert.deepEqual(counter!.outputs, {
      // Read by `relay` in-process and by `sink` through the daemon.
      count: { daemon: true, to: [{ operator: "relay", input: "count" }] },
      // Read by nobody: still sent, like a node's output.
      debug: { daemon: true, to: [] },
    });
    assert.deepEqual(relay!.inputs, {
      count: { queue_size: 10, queue_policy: "drop_oldest", source: "rt" },
    });
    assert.equal(relay!.send_stdout_as, "printed");
    assert.deepEqual(
      reloadableOperators([rt], dir).map((t) => [t.operator, t.file]),
      [["relay", `${dir}/relay.ts`]],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("planRuntime() keeps an output read only inside the node off the socket", async () => {
  const { dir, dataflow } = await dataflowOf(
    YAML.replace(/\n {6}count: rt\/counter\/count\n$/, "\n"),
    ["build/libcounter.so", "relay.ts"],
  );
  try {
    const rt = dataflow.nodes.find((n) => n.id === "rt")!;
    const plan = planRuntime(dataflow, rt, dir);
    assert.deepEqual(plan.config.operators[0]!.outputs.count, {
      daemon: false,
      to: [{ operator: "relay", input: "count" }],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("planRuntime() throws OperatorError naming node, operator and file", async () => {
  const { dir, dataflow } = await dataflowOf(YAML, ["relay.ts"]);
  try {
    const rt = dataflow.nodes.find((n) => n.id === "rt")!;
    assert.throws(
      () => planRuntime(dataflow, rt, dir),
      (e: unknown) =>
        e instanceof OperatorError &&
        /^operator "counter" of node "rt": shared-library file "build\/libcounter\.so" not found \(looked for \S+\/build\/libcounter\.so\)$/
          .test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
