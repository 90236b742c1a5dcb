import {
  deepEqual as assertDeepEquals,
  equal as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { DescriptorError, formatDiagnostic, loadDataflow } from "./mod.ts";

const CASES =
  new URL("../../tests/descriptor_cases/", import.meta.url).pathname;

Deno.test("loadDataflow() resolves every field of the schema with defaults", async () => {
  const { dataflow, warnings } = await loadDataflow(
    `${CASES}warnings_full_schema.yml`,
  );
  assertEquals(warnings.filter((w) => w.severity === "error").length, 0);
  assertEquals(dataflow.healthCheckInterval, 2.5);
  assertEquals(dataflow.debug.publishAllMessages, true);
  assertEquals(dataflow.workingDir, CASES.replace(/\/$/, ""));
  const node = dataflow.nodes.find((n) => n.id === "my-node")!;
  assertEquals(node.name, "My Node");
  assertEquals(node.args, "--verbose --name 'my node'");
  assertDeepEquals(node.env, {
    GLOBAL: "overridden",
    NUMBER: "3",
    MY_VAR: "value",
    FLAG: "true",
  });
  const tick = node.inputs.find((i) => i.id === "tick")!;
  assertDeepEquals(tick.source, {
    kind: "timer",
    intervalNs: 100_000_000n,
    text: "dora/timer/millis/100",
  });
  assertEquals(tick.queueSize, 10);
  assertEquals(tick.queuePolicy, "drop_oldest");
  const sensor = node.inputs.find((i) => i.id === "sensor_data")!;
  assertDeepEquals(
    [sensor.queueSize, sensor.queuePolicy, sensor.inputTimeout],
    [4, "backpressure", 5],
  );
  assertDeepEquals(node.inputs.find((i) => i.id === "logs")!.source, {
    kind: "logs",
    level: "warn",
    node: "sensor",
  });
  assertEquals(node.restartPolicy, "on-failure");
  assertEquals(node.maxRestarts, 5);
  assertEquals(node.maxLogSize, 50 * 1024 * 1024);
  assertEquals(node.maxRotatedFiles, 7);
  assertEquals(node.minLogLevel, "info");
  assertDeepEquals(node.deploy, { machine: "A" });
  const other = dataflow.nodes.find((n) => n.id === "other-node")!;
  assertDeepEquals(other.permissions, {
    read: true,
    net: ["example.com:443"],
    ffi: false,
  });
  assertEquals(other.restartPolicy, "never");
  assertEquals(other.maxRotatedFiles, 5);
  assertDeepEquals(other.deploy, { machine: "B", labels: { gpu: "yes" } });
  const sensorNode = dataflow.nodes.find((n) => n.id === "sensor")!;
  assertDeepEquals(sensorNode.git, {
    url: "https://github.com/example/sensor.git",
    tag: "v1.0",
  });
  const runtime = dataflow.nodes.find((n) => n.id === "runtime-node")!;
  assertEquals(runtime.kind, "runtime");
  assertDeepEquals(runtime.operators!.map((o) => o.id), [
    "preprocessor",
    "analyzer",
  ]);
  assertDeepEquals(runtime.outputs, [
    "preprocessor/processed",
    "analyzer/result",
  ]);
  const detector = dataflow.nodes.find((n) => n.id === "detector")!;
  assertEquals(detector.operators![0]!.id, "op");
  assertEquals(detector.operators![0]!.source.python, "node.py");
});

Deno.test("loadDataflow() throws DescriptorError with every problem", async () => {
  await assertRejects(
    () => loadDataflow(`${CASES}many_errors.yml`),
    DescriptorError,
  );
  try {
    await loadDataflow(`${CASES}many_errors.yml`);
  } catch (e) {
    assert(e instanceof DescriptorError);
    assertEquals(e.diagnostics.filter((d) => d.severity === "error").length, 8);
    assert(e.message.includes("8 errors"));
    assert(
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
    assertEquals(dataflow.debug.publishAllMessages, true);
    assertDeepEquals(dataflow.nodes[0]!.deploy, { machine: "m1" });
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
  assertDeepEquals(dataflow.nodes.map((n) => n.id), [
    "sender",
    "pipeline.doubler",
    "pipeline.filter",
    "receiver",
  ]);
  const doubler = dataflow.nodes[1]!;
  assertEquals(doubler.path, "modules/doubler.ts");
  assertEquals(doubler.args, "--factor 3");
  assertEquals(doubler.env.PARAM_FACTOR, "3");
  assertEquals(doubler.module, "pipeline");
  assertDeepEquals(doubler.inputs[0]!.source, {
    kind: "node",
    node: "sender",
    output: "value",
  });
  assertDeepEquals(dataflow.nodes[3]!.inputs[0]!.source, {
    kind: "node",
    node: "pipeline.filter",
    output: "filtered",
  });
});
