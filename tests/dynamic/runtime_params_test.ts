/**
 * Runtime parameters in the runtime (what `dora param` does on each
 * machine), with real TypeScript and Python nodes: the values at start,
 * PARAM_UPDATE / PARAM_DELETED in order, `node.params` after each, the
 * current values for a restarted process.
 */
import assert from "node:assert/strict";
import { RuntimeChangeError } from "../../src/runtime/mod.ts";
import { dyn, startRuntime } from "./_runtime.ts";

const YAML = `
nodes:
  - id: counter
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
    params:
      threshold: 0.5
      config: { labels: [cat, dog], nms: 0.4 }
  - id: py
    path: ${dyn("watcher.py")}
    inputs: { value: counter/value }
    params:
      threshold: 0.5
`;

for (const node of ["ts", "py"]) {
  Deno.test(`DataflowRuntime.setParam() / deleteParam() reach a ${node} node as PARAM_UPDATE / PARAM_DELETED, and a restart starts with the current values`, async () => {
    await using run = await startRuntime(YAML);
    await run.saw(node, /"type":"INPUT"/);
    const start = run.events(node)[0]!;
    assert.equal(start.type, "START");
    assert.equal((start.params as Record<string, unknown>).threshold, 0.5);
    assert.equal(run.runtime.setParam(node, "threshold", 0.8), true);
    assert.equal(run.runtime.setParam(node, "mode", { fast: [1, 2] }), true);
    assert.equal(run.runtime.deleteParam(node, "threshold"), true);
    assert.equal(run.runtime.deleteParam(node, "threshold"), false);
    await run.saw(node, /"type":"PARAM_DELETED"/);
    const changes = run.events(node).filter((e) =>
      String(e.type).startsWith("PARAM_")
    );
    const base = node === "ts"
      ? { config: { labels: ["cat", "dog"], nms: 0.4 } }
      : {};
    assert.deepEqual(changes, [
      {
        type: "PARAM_UPDATE",
        id: "threshold",
        key: "threshold",
        value: 0.8,
        params: { ...base, threshold: 0.8 },
      },
      {
        type: "PARAM_UPDATE",
        id: "mode",
        key: "mode",
        value: { fast: [1, 2] },
        params: { ...base, threshold: 0.8, mode: { fast: [1, 2] } },
      },
      {
        type: "PARAM_DELETED",
        id: "threshold",
        key: "threshold",
        params: { ...base, mode: { fast: [1, 2] } },
      },
    ]);
    assert.deepEqual(run.runtime.params(node), {
      ...base,
      mode: { fast: [1, 2] },
    });
    run.runtime.restartNode(node, 2000);
    await run.saw(node, /"type":"START","restart":1/);
    const again = run.events(node).find((e) =>
      e.type === "START" && e.restart === 1
    )!;
    assert.deepEqual(again.params, { ...base, mode: { fast: [1, 2] } });
  });
}

Deno.test("DataflowRuntime.setParam() refuses a key or value over its limit and an unknown node, and changes nothing", async () => {
  await using run = await startRuntime(YAML);
  await run.saw("ts", /"type":"INPUT"/);
  const refused = (f: () => unknown, code: string, re: RegExp) =>
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof RuntimeChangeError && e.code === code &&
        re.test(e.message),
    );
  refused(
    () => run.runtime.setParam("ts", "k".repeat(257), 1),
    "bad_param",
    /parameter key is 257 bytes long; the limit is 256 bytes/,
  );
  refused(
    () => run.runtime.setParam("ts", "big", "x".repeat(70_000)),
    "bad_param",
    /parameter value is 70002 bytes as JSON; the limit is 65536 bytes/,
  );
  refused(
    () => run.runtime.setParam("nope", "k", 1),
    "unknown_node",
    /no node "nope"/,
  );
  assert.deepEqual(run.runtime.params("ts"), {
    threshold: 0.5,
    config: { labels: ["cat", "dog"], nms: 0.4 },
  });
  const n = run.events("ts").length;
  await run.saw("ts", /"type":"INPUT"/, n + 2);
  assert.equal(
    run.events("ts").filter((e) => String(e.type).startsWith("PARAM")).length,
    0,
  );
});
