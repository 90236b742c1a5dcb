import assert from "node:assert/strict";
import { DescriptorError, formatDiagnostic, loadDataflow } from "./mod.ts";

const CASES =
  new URL("../../tests/descriptor_cases/", import.meta.url).pathname;

Deno.test("loadDataflow() resolves every field of the schema with defaults", async () => {
  const { dataflow, warnings } = await loadDataflow(
    `${CASES}warnings_full_schema.yml`,
  );
  assert.equal(warnings.filter((w) => w.severity === "error").length, 0);
  assert.equal(dataflow.healthCheckInterval, 2.5);
  assert.equal(dataflow.debug.publishAllMessages, true);
  assert.equal(dataflow.workingDir, CASES.replace(/\/$/, ""));
  const node = dataflow.nodes.find((n) => n.id === "my-node")!;
  assert.equal(node.name, "My Node");
  assert.equal(node.args, "--verbose --name 'my node'");
  assert.deepEqual(node.env, {
    GLOBAL: "overridden",
    NUMBER: "3",
    MY_VAR: "value",
    FLAG: "true",
  });
  const tick = node.inputs.find((i) => i.id === "tick")!;
  assert.deepEqual(tick.source, {
    kind: "timer",
    intervalNs: 100_000_000n,
    text: "dora/timer/millis/100",
  });
  assert.equal(tick.queueSize, 10);
  assert.equal(tick.queuePolicy, "drop_oldest");
  const sensor = node.inputs.find((i) => i.id === "sensor_data")!;
  assert.deepEqual(
    [sensor.queueSize, sensor.queuePolicy, sensor.inputTimeout],
    [4, "backpressure", 5],
  );
  assert.deepEqual(node.inputs.find((i) => i.id === "logs")!.source, {
    kind: "logs",
    level: "warn",
    node: "sensor",
  });
  assert.equal(node.restartPolicy, "on-failure");
  assert.equal(node.maxRestarts, 5);
  assert.equal(node.maxLogSize, 50 * 1024 * 1024);
  assert.equal(node.maxRotatedFiles, 7);
  assert.equal(node.minLogLevel, "info");
  assert.deepEqual(node.deploy, { machine: "A" });
  const other = dataflow.nodes.find((n) => n.id === "other-node")!;
  assert.deepEqual(other.permissions, {
    read: true,
    net: ["example.com:443"],
    ffi: false,
  });
  assert.equal(other.restartPolicy, "never");
  assert.equal(other.maxRotatedFiles, 5);
  assert.deepEqual(other.deploy, { machine: "B", labels: { gpu: "yes" } });
  const sensorNode = dataflow.nodes.find((n) => n.id === "sensor")!;
  assert.deepEqual(sensorNode.git, {
    url: "https://github.com/example/sensor.git",
    tag: "v1.0",
  });
  const runtime = dataflow.nodes.find((n) => n.id === "runtime-node")!;
  assert.equal(runtime.kind, "runtime");
  assert.deepEqual(runtime.operators!.map((o) => o.id), [
    "preprocessor",
    "analyzer",
  ]);
  assert.deepEqual(runtime.outputs, [
    "preprocessor/processed",
    "analyzer/result",
  ]);
  assert.equal(runtime.operators![1]!.source.typescript, "node.ts");
  // Inputs between operators of one node never reach the daemon.
  assert.deepEqual(runtime.inputs.map((i) => i.id), ["preprocessor/raw"]);
  const detector = dataflow.nodes.find((n) => n.id === "detector")!;
  assert.equal(detector.operators![0]!.id, "op");
  assert.equal(detector.operators![0]!.source.python, "node.py");
  // `detector/bbox` (the short form) reads the single operator's output.
  assert.deepEqual(runtime.operators![0]!.inputs[0]!.source, {
    kind: "node",
    node: "detector",
    output: "op/bbox",
  });
});

Deno.test("loadDataflow() throws DescriptorError with every problem", async () => {
  await assert.rejects(
    () => loadDataflow(`${CASES}many_errors.yml`),
    DescriptorError,
  );
  try {
    await loadDataflow(`${CASES}many_errors.yml`);
  } catch (e) {
    assert.ok(e instanceof DescriptorError);
    assert.equal(e.diagnostics.filter((d) => d.severity === "error").length, 8);
    assert.ok(e.message.includes("8 errors"));
    assert.ok(
      formatDiagnostic(e.diagnostics[0]!).endsWith(
        'unknown field "nodez" in the dataflow (did you mean "nodes"?)',
      ),
    );
  }
});

Deno.test("loadDataflow() accepts dora 1.0's deploy and debug keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      "debug:\n  enable_debug_inspection: true\nnodes:\n  - id: a\n    path: dynamic\n    deploy:\n      machine: m1\n",
    );
    const { dataflow } = await loadDataflow(`${dir}/dataflow.yml`);
    assert.equal(dataflow.debug.publishAllMessages, true);
    assert.deepEqual(dataflow.nodes[0]!.deploy, { machine: "m1" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataflow() expands modules with params and nested ids", async () => {
  const example = new URL(
    "../../examples/module-dataflow/dataflow.yml",
    import.meta.url,
  ).pathname;
  const { dataflow } = await loadDataflow(example);
  assert.deepEqual(dataflow.nodes.map((n) => n.id), [
    "sender",
    "pipeline.doubler",
    "pipeline.filter",
    "receiver",
  ]);
  const doubler = dataflow.nodes[1]!;
  assert.equal(doubler.path, "modules/doubler.ts");
  assert.equal(doubler.args, "--factor 3");
  assert.equal(doubler.env.PARAM_FACTOR, "3");
  assert.equal(doubler.module, "pipeline");
  assert.deepEqual(doubler.inputs[0]!.source, {
    kind: "node",
    node: "sender",
    output: "value",
  });
  assert.deepEqual(dataflow.nodes[3]!.inputs[0]!.source, {
    kind: "node",
    node: "pipeline.filter",
    output: "filtered",
  });
});

Deno.test("loadDataflow() keeps the params of a path node as its initial runtime parameters", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: a
    path: dynamic
    params:
      threshold: 42
      config: { confidence: 0.8, labels: [cat, dog] }
      name: "x"
  - id: b
    path: dynamic
`,
    );
    const { dataflow } = await loadDataflow(`${dir}/dataflow.yml`);
    assert.deepEqual(dataflow.nodes[0]!.params, {
      threshold: 42,
      config: { confidence: 0.8, labels: ["cat", "dog"] },
      name: "x",
    });
    assert.equal(dataflow.nodes[1]!.params, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataflow() refuses a module param that is not a string, number or boolean", async () => {
  const example = new URL(
    "../../examples/module-dataflow/",
    import.meta.url,
  ).pathname;
  const dir = await Deno.makeTempDir({ dir: example });
  try {
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: pipeline
    module: ../modules/transform_module.yml
    inputs:
      raw_data: dora/timer/millis/50
    params:
      factor: { x: 1 }
`,
    );
    await assert.rejects(
      () => loadDataflow(`${dir}/dataflow.yml`),
      (err: unknown) => {
        assert.ok(err instanceof DescriptorError);
        const text = err.diagnostics.map(formatDiagnostic).join("\n");
        assert.match(
          text,
          /dataflow\.yml:7:15: param "factor" of module node "pipeline" must be a string, number or boolean/,
        );
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
