import assert from "node:assert/strict";
import { keyExprProblem, wsEndpointProblem } from "./zenoh_node.ts";

Deno.test("keyExprProblem() accepts whole-chunk wildcards only where allowed", () => {
  assert.equal(keyExprProblem("robot/*/pose", true), null);
  assert.equal(keyExprProblem("robot/**", true), null);
  assert.equal(keyExprProblem("robot/pose", false), null);
  assert.match(keyExprProblem("robot/*", false)!, /publication key/);
  assert.match(keyExprProblem("robot/p*", true)!, /whole chunk/);
  assert.match(keyExprProblem("robot//pose", true)!, /not a key expression/);
  assert.match(keyExprProblem("/robot", true)!, /not a key expression/);
  assert.match(keyExprProblem("robot/a b", true)!, /reserves/);
  assert.match(keyExprProblem("", true)!, /not a key expression/);
});

Deno.test("wsEndpointProblem() wants ws/HOST:PORT", () => {
  assert.equal(wsEndpointProblem("ws/127.0.0.1:10000"), null);
  assert.equal(wsEndpointProblem("ws/[::1]:10000"), null);
  assert.match(wsEndpointProblem("tcp/127.0.0.1:7447")!, /ws\/HOST:PORT/);
  assert.match(wsEndpointProblem("ws/host:70000")!, /ws\/HOST:PORT/);
});
