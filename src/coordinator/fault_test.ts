import { deepStrictEqual as assertEquals } from "node:assert/strict";
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
  assertEquals(Object.keys(m.nodes), ["cam", "plan"]);
  assertEquals(m.totals, {
    restarts: 2,
    healthCheckKills: 0,
    inputTimeouts: 1,
    recoveries: 1,
    droppedMessages: 0,
  });
  assertEquals(mergeFault([undefined]), undefined);
  assertEquals(faultChanged(m, mergeFault([a, b])), false);
  assertEquals(faultChanged(m, a), true);
});
