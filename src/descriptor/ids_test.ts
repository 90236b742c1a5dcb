import assert from "node:assert/strict";
import { dataIdProblem, nodeIdProblem } from "./ids.ts";

Deno.test("nodeIdProblem() accepts [A-Za-z0-9_.-] ids", () => {
  for (const id of ["camera", "cam_1", "a.b-c", "X9"]) {
    assert.equal(nodeIdProblem(id), undefined);
  }
});

Deno.test("nodeIdProblem() rejects empty, spaces, leading dot and dora", () => {
  assert.ok(nodeIdProblem("")?.includes("empty"));
  assert.ok(nodeIdProblem("my cam")?.includes("space"));
  assert.ok(nodeIdProblem("a/b")?.includes('"/"'));
  assert.ok(nodeIdProblem(".x")?.includes("start"));
  assert.ok(nodeIdProblem("dora")?.includes("reserved"));
});

Deno.test("dataIdProblem() allows inner slashes only", () => {
  assert.equal(dataIdProblem("op/out"), undefined);
  assert.ok(dataIdProblem("/out"));
  assert.ok(dataIdProblem("out/"));
  assert.ok(dataIdProblem("a//b"));
  assert.ok(dataIdProblem("a b"));
});
