import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  dataflowTimeouts,
  formatMs,
  nodeStartupTimeout,
  secondsToMs,
} from "./settings.ts";

Deno.test("dataflowTimeouts() reads the environment overrides", () => {
  const env = (n: string) =>
    ({ DORA_STARTUP_TIMEOUT: "2.5", DORA_FINISH_DRAIN_GRACE_SECS: "1" })[n];
  assertEquals(dataflowTimeouts(0.5, env), {
    startupTimeoutMs: 2500,
    finishGraceMs: 1000,
    healthCheckIntervalMs: 500,
  });
});

Deno.test("dataflowTimeouts() ignores bad values", () => {
  const env = (n: string) => ({ DORA_STARTUP_TIMEOUT: "soon" })[n];
  assertEquals(dataflowTimeouts(undefined, env).startupTimeoutMs, 30_000);
  assertEquals(dataflowTimeouts(undefined, env).healthCheckIntervalMs, 5000);
});

Deno.test("secondsToMs() rejects negative and NaN", () => {
  assertEquals(secondsToMs(-1), undefined);
  assertEquals(secondsToMs(NaN), undefined);
  assertEquals(secondsToMs(0.25), 250);
});

Deno.test("formatMs() picks a readable unit", () => {
  assertEquals(formatMs(250), "250ms");
  assertEquals(formatMs(1500), "1.5s");
  assertEquals(formatMs(180_000), "3m");
});

Deno.test("nodeStartupTimeout() takes the node's value, then the dataflow's, then the fallback", () => {
  const spec = {
    id: "n",
    path: "n.ts",
    env: {},
    inputs: [],
    outputs: [],
    restartPolicy: "never" as const,
    maxRestarts: 0,
    maxRotatedFiles: 5,
  };
  assertEquals(nodeStartupTimeout({ ...spec, startupTimeout: 3 }, 2, 1000), {
    ms: 3000,
    source: "node",
  });
  assertEquals(nodeStartupTimeout(spec, 2, 1000), {
    ms: 2000,
    source: "dataflow",
  });
  assertEquals(nodeStartupTimeout(spec, undefined, 1000), {
    ms: 1000,
    source: "default",
  });
});
