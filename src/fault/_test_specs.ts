/** Node and input specs for the fault-tolerance unit tests. */
import type { InputSpec, NodeSpec } from "../descriptor/model.ts";

/** A node with the descriptor's defaults and one output `out`. */
export function testNode(id: string, extra: Partial<NodeSpec> = {}): NodeSpec {
  return {
    id,
    path: `${id}.ts`,
    env: {},
    inputs: [],
    outputs: ["out"],
    restartPolicy: "never",
    maxRestarts: 0,
    maxRotatedFiles: 5,
    ...extra,
  };
}

/** An input `id` fed by `<from>/out`. */
export function testInput(
  id: string,
  from: string,
  extra: Partial<InputSpec> = {},
): InputSpec {
  return {
    id,
    sourceText: `${from}/out`,
    source: { kind: "node", node: from, output: "out" },
    queueSize: 10,
    queuePolicy: "drop_oldest",
    ...extra,
  };
}
