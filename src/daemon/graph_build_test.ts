import assert from "node:assert/strict";
import type { Dataflow, NodeSpec } from "../descriptor/mod.ts";
import { nodesToBuild } from "./graph_build.ts";

const node = (id: string, extra: Partial<NodeSpec> = {}) =>
  ({
    id,
    path: `${id}.ts`,
    inputs: [],
    outputs: [],
    ...extra,
  }) as unknown as NodeSpec;
const graph = (...nodes: NodeSpec[]) => ({ nodes }) as unknown as Dataflow;

Deno.test("nodesToBuild: only local nodes that join or are redefined, with something to build", () => {
  const before = graph(
    node("kept", { build: "make" }),
    node("redefined", { build: "make" }),
    node("plain"),
  );
  const next = graph(
    node("kept", { build: "make" }),
    node("redefined", { build: "make all" }),
    node("plain"),
    node("joins", { build: "cp a b" }),
    node("joins_elsewhere", { build: "cp a b" }),
    node("joins_without_build"),
  );
  const local = [
    "kept",
    "redefined",
    "plain",
    "joins",
    "joins_without_build",
  ];
  assert.deepEqual(nodesToBuild(before, next, local), ["redefined", "joins"]);
});

Deno.test("nodesToBuild: a node whose wiring alone changed is not built again", () => {
  const before = graph(node("n", { build: "make" }));
  const rewired = node("n", { build: "make" });
  rewired.inputs = [{ id: "x" } as NodeSpec["inputs"][number]];
  assert.deepEqual(nodesToBuild(before, graph(rewired), ["n"]), []);
});
