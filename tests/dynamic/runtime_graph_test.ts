/**
 * Graph changes in one in-process runtime (what `dora run` does), with real
 * processes: the edit checked like `dora validate` (`analyzeEdit`), then
 * `DataflowRuntime.applyGraph()`.
 */
import assert from "node:assert/strict";
import {
  analyzeEdit,
  type GraphEdit,
  loadDataflow,
} from "../../src/descriptor/mod.ts";
import { tempDataflow } from "../_support/dora.ts";
import { dyn, startRuntime } from "./_runtime.ts";

const YAML = `
nodes:
  - id: counter
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/20 }
    outputs: [value]
  - id: ts
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
`;

Deno.test("DataflowRuntime.applyGraph() adds a node, connects, disconnects and reconnects an input, and removes the node again", async () => {
  await using run = await startRuntime(YAML);
  await run.saw("ts", /"type":"INPUT"/);
  // The current graph as `dora run` keeps it.
  const df = await tempDataflow(YAML);
  const { flat } = await loadDataflow(df.path);
  let source = flat;
  const edit = async (e: GraphEdit) => {
    const a = await analyzeEdit(
      { label: 'dataflow "t"', path: run.runtime.dataflow.path, source },
      e,
    );
    assert.deepEqual(a.diagnostics.filter((d) => d.severity === "error"), []);
    source = a.flat!;
    return run.runtime.applyGraph(a.dataflow!);
  };
  try {
    const file = `${await Deno.makeTempDir()}/py.yml`;
    Deno.writeTextFileSync(
      file,
      `id: py\npath: ${
        dyn("watcher.py")
      }\ninputs: { value: counter/value }\nparams: { k: 1 }\n`,
    );
    const added = await edit({ kind: "add", file });
    assert.deepEqual(added.added, ["py"]);
    await run.saw("py", /"type":"START".*"params":\{"k":1\}/);
    await run.saw("py", /"type":"INPUT"/);

    const c = await edit({
      kind: "connect",
      from: { node: "counter", port: "value" },
      to: { node: "ts", port: "again" },
      queueSize: 3,
    });
    assert.deepEqual(c.connected, ["ts/again"]);
    await run.saw("ts", /"type":"INPUT","id":"again"/);

    const d = await edit({
      kind: "disconnect",
      from: { node: "counter", port: "value" },
      to: { node: "ts", port: "again" },
    });
    assert.deepEqual(d.disconnected, ["ts/again"]);
    await run.saw("ts", /"type":"INPUT_CLOSED","id":"again"/);
    // The same input id can be connected again.
    await edit({
      kind: "connect",
      from: { node: "counter", port: "value" },
      to: { node: "ts", port: "again" },
    });
    const closedAt = run.events("ts").findIndex((e) =>
      e.type === "INPUT_CLOSED"
    );
    await run.saw("ts", /"type":"INPUT","id":"again"/, 2);
    assert.ok(
      run.events("ts").slice(closedAt).some((e) => e.id === "again"),
    );

    const r = await edit({ kind: "remove", node: "py" });
    assert.deepEqual(r.removed, ["py"]);
    await run.saw("py", /"type":"STOP","cause":"MANUAL"/);
    const summary = run.runtime.summary();
    assert.equal(
      summary.nodes.find((n) => n.id === "counter")?.outcome,
      "running",
    );
  } finally {
    await df[Symbol.asyncDispose]();
  }
});
