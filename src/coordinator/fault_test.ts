import assert from "node:assert/strict";
import { emptyStats } from "../fault/counters.ts";
import { faultChanged, mergeFault } from "./fault.ts";

Deno.test("mergeFault() joins the nodes of every daemon and sums the totals", () => {
  const a = {
    nodes: {
      cam: { ...emptyStats(), status: "running" as const, restarts: 2 },
    },
    totals: {
      restarts: 2,
      healthCheckKills: 0,
      inputTimeouts: 0,
      recoveries: 0,
      droppedMessages: 0,
    },
  };
  const b = {
    nodes: { plan: { ...emptyStats(), inputTimeouts: 1, recoveries: 1 } },
    totals: {
      restarts: 0,
      healthCheckKills: 0,
      inputTimeouts: 1,
      recoveries: 1,
      droppedMessages: 0,
    },
  };
  const m = mergeFault([a, undefined, b])!;
  assert.deepEqual(Object.keys(m.nodes), ["cam", "plan"]);
  assert.deepEqual(m.totals, {
    restarts: 2,
    healthCheckKills: 0,
    inputTimeouts: 1,
    recoveries: 1,
    droppedMessages: 0,
  });
  assert.deepEqual(mergeFault([undefined]), undefined);
  assert.deepEqual(faultChanged(m, mergeFault([a, b])), false);
  assert.deepEqual(faultChanged(m, a), true);
});
