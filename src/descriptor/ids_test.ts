import { equal as assertEquals, ok as assert } from "node:assert/strict";
import { dataIdProblem, nodeIdProblem } from "./ids.ts";

Deno.test("nodeIdProblem() accepts [A-Za-z0-9_.-] ids", () => {
  for (const id of ["camera", "cam_1", "a.b-c", "X9"]) {
    assertEquals(nodeIdProblem(id), undefined);
  }
});

Deno.test("nodeIdProblem() rejects empty, spaces, leading dot and dora", () => {
  assert(nodeIdProblem("")?.includes("empty"));
  assert(nodeIdProblem("my cam")?.includes("space"));
  assert(nodeIdProblem("a/b")?.includes('"/"'));
  assert(nodeIdProblem(".x")?.includes("start"));
  assert(nodeIdProblem("dora")?.includes("reserved"));
});

Deno.test("dataIdProblem() allows inner slashes only", () => {
  assertEquals(dataIdProblem("op/out"), undefined);
  assert(dataIdProblem("/out"));
  assert(dataIdProblem("out/"));
  assert(dataIdProblem("a//b"));
  assert(dataIdProblem("a b"));
});
