import assert from "node:assert/strict";
import {
  filterRecords,
  formatRecord,
  type LogRecord,
  parseLogFilter,
  parseNodeLine,
  passesLevel,
} from "./mod.ts";

Deno.test("parseNodeLine() keeps structured levels and treats the rest as stdout", () => {
  const r = parseNodeLine(
    '{"level":"WARNING","message":"hot","target":"t","fields":{"c":42}}',
    "n",
    "stdout",
  );
  assert.equal(r.level, "warn");
  assert.equal(r.msg, "hot");
  assert.deepEqual(r.fields, { c: "42" });
  const plain = parseNodeLine("\x1b[31mred\x1b[0m {not json}", "n", "stderr");
  assert.equal(plain.level, "stdout");
  assert.equal(plain.msg, "red {not json}");
});

Deno.test("passesLevel() follows dora's rules", () => {
  assert.equal(passesLevel("stdout", "stdout"), true);
  assert.equal(passesLevel("trace", "stdout"), true);
  assert.equal(passesLevel("stdout", "info"), false);
  assert.equal(passesLevel("warn", "info"), true);
  assert.equal(passesLevel("debug", "info"), false);
});

Deno.test("parseLogFilter() reads node=level pairs and names bad ones", () => {
  assert.deepEqual([...parseLogFilter("a=debug, b=warn")], [["a", "debug"], [
    "b",
    "warn",
  ]]);
  assert.throws(() => parseLogFilter("a=loud"), /"a=loud"/);
});

Deno.test("filterRecords() filters before tailing", () => {
  const rec = (msg: string, level: LogRecord["level"]): LogRecord => ({
    ts: "2026-01-01T00:00:00.000Z",
    level,
    node: "n",
    stream: "stdout",
    msg,
    target: null,
    fields: null,
  });
  const all = [
    rec("e1", "error"),
    rec("i1", "info"),
    rec("e2", "error"),
    rec("s", "stdout"),
  ];
  assert.deepEqual(
    filterRecords(all, { level: "error", tail: 1 }).map((r) => r.msg),
    ["e2"],
  );
  assert.deepEqual(filterRecords(all, { grep: "E" }).map((r) => r.msg), [
    "e1",
    "e2",
  ]);
  assert.deepEqual(filterRecords(all, { tail: 0 }), []);
});

Deno.test("formatRecord() names a node's own logger once and another logger after it", () => {
  const rec = (target: string | null): LogRecord => ({
    ts: "2026-01-01T12:34:56.789Z",
    level: "info",
    node: "sender",
    stream: "stdout",
    msg: "sent 5",
    target,
    fields: null,
  });
  assert.equal(
    formatRecord(rec("sender"), "pretty"),
    "12:34:56.789 INFO   sender: sent 5",
  );
  assert.equal(
    formatRecord(rec("camera.driver"), "pretty"),
    "12:34:56.789 INFO   sender: camera.driver: sent 5",
  );
  assert.equal(
    formatRecord(rec(null), "pretty"),
    "12:34:56.789 INFO   sender: sent 5",
  );
});
