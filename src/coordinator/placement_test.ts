import assert from "node:assert/strict";
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import { type PlacementDaemon, placeNodes } from "./placement.ts";

function node(id: string, deploy?: NodeSpec["deploy"]): NodeSpec {
  return {
    id,
    path: `${id}.ts`,
    env: {},
    inputs: [],
    outputs: [],
    restartPolicy: "never",
    maxRestarts: 0,
    maxRotatedFiles: 5,
    deploy,
  } as NodeSpec;
}

function dataflow(...nodes: NodeSpec[]): Dataflow {
  return {
    path: "/x/d.yml",
    workingDir: "/x",
    nodes,
    healthCheckInterval: 5,
    debug: { publishAllMessages: false },
  } as Dataflow;
}

const DAEMONS: PlacementDaemon[] = [
  { daemonId: "A", machineId: "A", labels: { gpu: "yes" } },
  { daemonId: "default", labels: {} },
  { daemonId: "B", machineId: "B", labels: { arch: "arm" } },
];

Deno.test("placeNodes() uses machine ids, then labels, then the default daemon", () => {
  const placed = placeNodes(
    dataflow(
      node("cam", { machine: "B" }),
      node("ml", { labels: { gpu: "yes" } }),
      node("log"),
    ),
    DAEMONS,
  );
  assert.deepEqual(placed, { cam: "B", ml: "A", log: "default" });
});

Deno.test("placeNodes() falls back to the first daemon when all have machine ids", () => {
  assert.deepEqual(placeNodes(dataflow(node("x")), [DAEMONS[2], DAEMONS[0]]), {
    x: "B",
  });
});

Deno.test("placeNodes() names a machine or labels that no daemon offers", () => {
  assert.throws(
    () => placeNodes(dataflow(node("cam", { machine: "C" })), DAEMONS),
    /node "cam" is deployed to machine "C", but no daemon with machine id "C" is connected \(connected: A, \(default\), B\)/,
  );
  assert.throws(
    () => placeNodes(dataflow(node("ml", { labels: { tpu: "v5" } })), DAEMONS),
    /needs a daemon with labels tpu=v5/,
  );
  assert.throws(
    () => placeNodes(dataflow(node("x")), []),
    /no daemon is connected/,
  );
});
