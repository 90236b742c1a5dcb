import assert from "node:assert/strict";
import { sharedLibraryFile, sharedLibraryNameProblem } from "./operators.ts";
import { analyze } from "./mod.ts";

Deno.test("sharedLibraryFile() adds the platform's prefix and suffix", () => {
  assert.equal(sharedLibraryFile("build/op", "linux"), "build/libop.so");
  assert.equal(sharedLibraryFile("op", "darwin"), "libop.dylib");
  assert.equal(sharedLibraryFile("/abs/op", "windows"), "/abs/op.dll");
});

Deno.test("sharedLibraryNameProblem() refuses a lib prefix or an extension, suggesting the bare name", () => {
  assert.equal(sharedLibraryNameProblem("build/op"), undefined);
  assert.match(
    sharedLibraryNameProblem("build/libop")!,
    /must not start with "lib".*write "build\/op"/,
  );
  assert.match(
    sharedLibraryNameProblem("op.so")!,
    /must have no extension.*write "op"/,
  );
});

Deno.test("analyze() names runtime-node ports node/op/output and rewrites the single-operator short form", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.py`, "");
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `
nodes:
  - id: cam
    operator:
      python: a.py
      outputs: [image]
  - id: rt
    operators:
      - id: det
        python: a.py
        inputs:
          image: cam/image
        outputs: [bbox]
      - id: draw
        python: a.py
        inputs:
          image: cam/op/image
          bbox: rt/det/bbox
  - id: sink
    path: a.py
    inputs:
      bbox: rt/det/bbox
`,
    );
    const { dataflow, diagnostics } = await analyze(`${dir}/dataflow.yml`);
    assert.deepEqual(diagnostics.filter((d) => d.severity === "error"), []);
    const rt = dataflow!.nodes.find((n) => n.id === "rt")!;
    assert.deepEqual(rt.outputs, ["det/bbox"]);
    // What the daemon delivers: inputs from outside the node only.
    assert.deepEqual(
      rt.inputs.map((i) => [i.id, i.source]),
      [
        ["det/image", { kind: "node", node: "cam", output: "op/image" }],
        ["draw/image", { kind: "node", node: "cam", output: "op/image" }],
      ],
    );
    assert.equal(rt.kind, "runtime");
    assert.equal(rt.singleOperator, undefined);
    assert.equal(dataflow!.nodes[0]!.singleOperator, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
