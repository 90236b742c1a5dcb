import assert from "node:assert/strict";
import { checkEdges, projectEdges, roomOf } from "./check_layers.ts";

Deno.test("roomOf() names the folder of src/, the root files and the node API", () => {
  assert.equal(roomOf("src/runtime/delivery/routing.ts"), "src/runtime");
  assert.equal(roomOf("src/version.ts"), "src");
  assert.equal(roomOf("nodes/api/ts/node.ts"), "nodes/api/ts");
  assert.equal(roomOf("main.ts"), "main.ts");
  assert.equal(roomOf("tests/helpers.ts"), undefined);
});

Deno.test("checkEdges() fails on an import that points up", () => {
  const problems = checkEdges([
    { from: "src/message/frame.ts", to: "src/cli/errors.ts" },
  ]);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /src\/message \(height 1\) must not import src\/cli/,
  );
});

Deno.test("checkEdges() accepts imports at the same height or below", () => {
  assert.deepEqual(
    checkEdges([
      { from: "src/cli/mod.ts", to: "src/runtime/mod.ts" },
      { from: "src/descriptor/model.ts", to: "src/logs/levels.ts" },
      { from: "src/runtime/runtime.ts", to: "src/version.ts" },
    ]),
    [],
  );
});

Deno.test("checkEdges() fails on a cycle between rooms of the same height", () => {
  const problems = checkEdges([
    { from: "src/descriptor/model.ts", to: "src/logs/levels.ts" },
    { from: "src/logs/levels.ts", to: "src/descriptor/model.ts" },
  ]);
  assert.ok(problems.some((p) => p.startsWith("rooms import each other")));
});

Deno.test("checkEdges() fails on another room's private file, commander below the CLI and an unknown room", () => {
  const problems = checkEdges([
    { from: "src/runtime/runtime.ts", to: "src/fault/_state.ts" },
    {
      from: "src/daemon/daemon.ts",
      to: "npm:/@commander-js/extra-typings@15.1.0",
    },
    { from: "src/newroom/a.ts", to: "src/message/mod.ts" },
  ]);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /a _private file of src\/fault/);
  assert.match(problems[1], /only src\/cli imports commander/);
  assert.match(problems[2], /src\/newroom has no height/);
});

Deno.test("scripts/check_layers.ts finds no problem in this repository", async () => {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const edges = await projectEdges(root);
  assert.ok(edges.length > 100, `only ${edges.length} edges read`);
  assert.deepEqual(checkEdges(edges), []);
});
