import assert from "node:assert/strict";
import {
  formatTraceTree,
  resolveTraceId,
  summarizeTraces,
  TracePrefixError,
  Tracer,
} from "./trace.ts";

Deno.test("Tracer.span() records finished spans with their parents in one trace", () => {
  const tracer = new Tracer("dora_test");
  const root = tracer.span("start_dataflow", { fields: { name: "robot" } });
  const child = root.child("spawn_node", { node_id: "camera", pid: 42 });
  assert.equal(tracer.spans().length, 0, "nothing until a span ends");
  child.end({}, "exited with code 1");
  root.end();
  root.end({ ignored: true });
  const spans = tracer.spans();
  assert.equal(spans.length, 2);
  const [c, r] = spans;
  assert.equal(c!.trace_id, r!.trace_id);
  assert.equal(c!.parent_span_id, r!.span_id);
  assert.equal(r!.parent_span_id, null);
  assert.match(r!.trace_id, /^[0-9a-f]{32}$/);
  assert.match(r!.span_id, /^[0-9a-f]{16}$/);
  assert.equal(c!.level, "ERROR");
  assert.deepEqual(c!.fields, {
    node_id: "camera",
    pid: "42",
    error: "exited with code 1",
  });
  assert.deepEqual(r!.fields, { name: "robot" });
  assert.equal(r!.target, "dora_test");
});

Deno.test("Tracer keeps only the newest spans of its ring", () => {
  const tracer = new Tracer("dora_test", 3);
  for (let i = 0; i < 5; i++) tracer.span(`s${i}`).end();
  assert.deepEqual(tracer.spans().map((s) => s.name), ["s2", "s3", "s4"]);
});

Deno.test("summarizeTraces() groups spans of several processes under their root", () => {
  const coordinator = new Tracer("dora_coordinator");
  const daemon = new Tracer("dora_daemon");
  const root = coordinator.span("start_dataflow");
  const remote = daemon.span("spawn_node", { parent: root.context() });
  remote.end();
  root.end();
  const other = coordinator.span("build_dataflow");
  other.end();
  const traces = summarizeTraces([...daemon.spans(), ...coordinator.spans()]);
  assert.equal(traces.length, 2);
  const start = traces.find((t) => t.trace_id === root.traceId)!;
  assert.equal(start.root_span_name, "start_dataflow");
  assert.equal(start.span_count, 2);
});

Deno.test("summarizeTraces() takes the oldest orphan as root when the root is missing", () => {
  const tracer = new Tracer("dora_test");
  const root = tracer.span("stop_dataflow");
  root.child("stop_node").end();
  // the root still runs: its children are all there is
  const [t] = summarizeTraces(tracer.spans());
  assert.equal(t!.root_span_name, "stop_node");
});

Deno.test("resolveTraceId() matches a unique prefix and names ambiguous ones", () => {
  const ids = ["abc123", "abd456", "ffff00"];
  assert.equal(resolveTraceId("ff", ids), "ffff00");
  assert.equal(resolveTraceId("ABC", ids), "abc123");
  assert.throws(
    () => resolveTraceId("ab", ids),
    (e) =>
      e instanceof TracePrefixError && e.kind === "ambiguous" &&
      /matches 2 traces \(abc123, abd456\)/.test(e.message),
  );
  assert.throws(
    () => resolveTraceId("9", ids),
    (e) => e instanceof TracePrefixError && e.kind === "unknown",
  );
});

Deno.test("formatTraceTree() indents children under their parents", () => {
  const tracer = new Tracer("dora_test");
  const root = tracer.span("start_dataflow", { fields: { name: "x" } });
  root.child("spawn_node", { node_id: "a" }).end();
  root.end();
  const lines = formatTraceTree(tracer.spans());
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^start_dataflow \[INFO \d.*\] \{name="x"\}$/);
  assert.match(lines[1]!, /^ {2}spawn_node \[INFO .*\] \{node_id="a"\}$/);
});
