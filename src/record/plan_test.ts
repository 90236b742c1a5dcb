import assert from "node:assert/strict";
import { parse } from "yaml";
import { analyzeSource, SourceFile } from "../descriptor/mod.ts";
import {
  planRecording,
  selectTopics,
  UnknownTopicError,
} from "./record_plan.ts";
import {
  MissingNodeError,
  planReplay,
  recordedSources,
  ReplayPlanError,
} from "./replay_plan.ts";

const YAML = `
nodes:
  - id: cam
    path: cam.ts
    inputs: { tick: dora/timer/millis/10 }
    outputs: [image]
  - id: det
    path: det.ts
    inputs: { image: cam/image }
    outputs: [boxes]
  - id: ui
    path: ui.ts
    inputs: { boxes: det/boxes, image: { source: cam/image, queue_size: 2 } }
`;

async function load() {
  const a = await analyzeSource(
    new SourceFile("t.yml", "/tmp/t.yml", YAML),
    { skipPaths: true },
  );
  return {
    dataflow: a.dataflow!,
    top: a.data,
    nodes: a.nodes.map((n) => n.raw as Record<string, unknown>),
  };
}

Deno.test("selectTopics() lists the dataflow's topics when one is unknown", async () => {
  const { dataflow } = await load();
  assert.deepEqual(selectTopics(dataflow), ["cam/image", "det/boxes"]);
  assert.throws(
    () => selectTopics(dataflow, ["cam/img"]),
    (e: unknown) =>
      e instanceof UnknownTopicError &&
      e.message ===
        'topic "cam/img" not in the dataflow; its topics are: cam/image, det/boxes',
  );
});

Deno.test("planRecording() adds a recorder reading every topic through drop_oldest queues", async () => {
  const { dataflow, top, nodes } = await load();
  const plan = planRecording(dataflow, top, nodes, ["cam/image", "det/boxes"], {
    output: "/tmp/x.mcap",
    compression: "zstd",
    queueSize: 7,
    bufferBytes: 1024,
    root: "/opt/dora",
  });
  const doc = parse(plan.yaml);
  const recorder = doc.nodes.at(-1);
  assert.equal(recorder.path, "/opt/dora/nodes/record/recorder.ts");
  assert.deepEqual(recorder.inputs["det/boxes"], {
    source: "det/boxes",
    queue_size: 7,
    queue_policy: "drop_oldest",
  });
  assert.equal(recorder.env.DORA_RECORD_COMPRESSION, "zstd");
  assert.deepEqual(recorder.permissions.write, ["/tmp/x.mcap"]);
  assert.equal(doc.nodes.length, 4);
});

Deno.test("planReplay() replaces the recorded sources and puts backpressure on what they feed", async () => {
  const { dataflow, top, nodes } = await load();
  const recorded = ["cam/image", "det/boxes"];
  assert.deepEqual(recordedSources(dataflow, recorded), ["cam"]);
  const plan = planReplay(dataflow, top, nodes, {
    file: "/r.mcap",
    recordedTopics: recorded,
    speed: 2,
    loop: false,
    startTime: 5n,
    checkOutput: "/tmp/check.mcap",
    root: "/opt/dora",
  });
  assert.deepEqual(plan.replaced, ["cam"]);
  assert.deepEqual(plan.checkedTopics, ["det/boxes"]);
  const doc = parse(plan.yaml);
  const cam = doc.nodes.find((n: { id: string }) => n.id === "cam");
  assert.equal(cam.path, "/opt/dora/nodes/record/replayer.ts");
  assert.equal(cam.inputs, undefined);
  assert.equal(cam.env.DORA_REPLAY_SPEED, "2");
  const ui = doc.nodes.find((n: { id: string }) => n.id === "ui");
  assert.deepEqual(ui.inputs.image, {
    source: "cam/image",
    queue_size: 2,
    queue_policy: "backpressure",
  });
  assert.equal(ui.inputs.boxes, "det/boxes");
  assert.ok(doc.nodes.some((n: { id: string }) => n.id === "__dora_record__"));
});

Deno.test("planReplay() names recorded or replaced nodes the dataflow lacks", async () => {
  const { dataflow, top, nodes } = await load();
  const base = {
    file: "/r.mcap",
    speed: 1,
    loop: false,
    startTime: 0n,
    root: "/",
  };
  assert.throws(
    () =>
      planReplay(dataflow, top, nodes, {
        ...base,
        recordedTopics: ["lidar/points"],
      }),
    (e: unknown) => e instanceof MissingNodeError && /"lidar"/.test(e.message),
  );
  assert.throws(
    () =>
      planReplay(dataflow, top, nodes, {
        ...base,
        recordedTopics: ["cam/image"],
        replace: ["ghost"],
      }),
    MissingNodeError,
  );
  assert.throws(
    () =>
      planReplay(dataflow, top, nodes, {
        ...base,
        recordedTopics: ["det/boxes"],
      }),
    ReplayPlanError,
  );
  assert.throws(
    () =>
      planReplay(dataflow, top, nodes, {
        ...base,
        recordedTopics: ["cam/depth"],
      }),
    (e: unknown) =>
      e instanceof ReplayPlanError &&
      /recorded output "cam\/depth" not declared/.test(e.message),
  );
});
