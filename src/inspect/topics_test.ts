import assert from "node:assert/strict";
import type { Dataflow, InputSpec, NodeSpec } from "../descriptor/model.ts";
import {
  dataflowTopics,
  resolveTopics,
  topicInfos,
  UnknownTopicError,
} from "./topics.ts";

function node(id: string, outputs: string[], inputs: [string, string][] = []) {
  return {
    id,
    path: `${id}.ts`,
    env: {},
    outputs,
    inputs: inputs.map(([input, from]): InputSpec => {
      const [n, o] = from.split("/");
      return {
        id: input,
        sourceText: from,
        source: { kind: "node", node: n!, output: o! },
        queueSize: 10,
        queuePolicy: "drop_oldest",
      };
    }),
    restartPolicy: "never",
    maxRestarts: 0,
    maxRotatedFiles: 5,
  } as NodeSpec;
}

const dataflow = {
  path: "/x/dataflow.yml",
  workingDir: "/x",
  healthCheckInterval: 5,
  debug: { publishAllMessages: false },
  nodes: [
    node("camera", ["image", "status"]),
    node("detector", ["boxes"], [["image", "camera/image"]]),
    node("logger", [], [["boxes", "detector/boxes"], ["img", "camera/image"]]),
  ],
} as Dataflow;

Deno.test("dataflowTopics() lists every output with its subscribers", () => {
  assert.deepEqual(
    dataflowTopics(dataflow).map((t) => [t.topic, t.subscribers]),
    [
      ["camera/image", ["detector/image", "logger/img"]],
      ["camera/status", []],
      ["detector/boxes", ["logger/boxes"]],
    ],
  );
});

Deno.test("resolveTopics() names the closest topic for a typo and lists them all", () => {
  const topics = dataflowTopics(dataflow);
  assert.equal(resolveTopics(topics, []).length, 3);
  assert.deepEqual(
    resolveTopics(topics, ["detector/boxes"]).map((t) => t.topic),
    [
      "detector/boxes",
    ],
  );
  assert.throws(
    () => resolveTopics(topics, ["camera/imgae"]),
    (e) =>
      e instanceof UnknownTopicError && e.suggestion === "camera/image" &&
      e.message ===
        'no topic "camera/imgae" in this dataflow (did you mean "camera/image"?); its topics: camera/image, camera/status, detector/boxes',
  );
});

Deno.test("topicInfos() marks topics live from their publisher's outputs", () => {
  const infos = topicInfos(dataflowTopics(dataflow), [
    {
      node_id: "camera",
      outputs: [
        { id: "image", open: true, rate: 30, sent: 90 },
        { id: "status", open: false, rate: 0, sent: 1 },
      ],
    },
  ]);
  assert.deepEqual(
    infos.map((t) => [t.topic, t.live, t.rate]),
    [["camera/image", true, 30], ["camera/status", false, 0], [
      "detector/boxes",
      false,
      0,
    ]],
  );
});
