import assert from "node:assert/strict";
import {
  emptyStats,
  formatFaultSummary,
  type NodeFaultStats,
  summarize,
} from "./counters.ts";

Deno.test("summarize() sums the counters of every node", () => {
  const a: NodeFaultStats = { ...emptyStats(), restarts: 2, status: "running" };
  const b = { ...emptyStats(), droppedMessages: 3, recoveries: 1 };
  const s = summarize(new Map([["a", a], ["b", b]]));
  assert.deepEqual(s.totals, {
    restarts: 2,
    healthCheckKills: 0,
    inputTimeouts: 0,
    recoveries: 1,
    droppedMessages: 3,
  });
  assert.deepEqual(s.nodes.a!.restarts, 2);
});

Deno.test("formatFaultSummary() lists only nodes where something happened", () => {
  const quiet: NodeFaultStats = { ...emptyStats(), status: "finished" };
  const crashy: NodeFaultStats = {
    ...emptyStats(),
    restarts: 2,
    status: "failed",
    lastError: "exited with code 1; max restarts (2) exceeded, giving up",
  };
  const lines = formatFaultSummary(
    summarize(new Map([["quiet", quiet], ["crashy", crashy]])),
  );
  assert.deepEqual(lines, [
    "fault tolerance:",
    "  crashy: 2 restarts, failed (exited with code 1; max restarts (2) exceeded, giving up)",
  ]);
  assert.deepEqual(formatFaultSummary(summarize(new Map([["q", quiet]]))), []);
});
