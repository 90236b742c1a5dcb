import assert from "node:assert/strict";
import {
  dataflowTimeouts,
  formatMs,
  nodeStartupTimeout,
  secondsToMs,
} from "./settings.ts";

Deno.test("dataflowTimeouts() reads the environment overrides", () => {
  const env = (n: string) =>
    ({ DORA_STARTUP_TIMEOUT: "2.5", DORA_FINISH_DRAIN_GRACE_SECS: "1" })[n];
  assert.deepEqual(dataflowTimeouts(0.5, env), {
    startupTimeoutMs: 2500,
    finishGraceMs: 1000,
    healthCheckIntervalMs: 500,
  });
});

Deno.test("dataflowTimeouts() ignores bad values", () => {
  const env = (n: string) => ({ DORA_STARTUP_TIMEOUT: "soon" })[n];
  assert.deepEqual(dataflowTimeouts(undefined, env).startupTimeoutMs, 30_000);
  assert.deepEqual(
    dataflowTimeouts(undefined, env).healthCheckIntervalMs,
    5000,
  );
});

Deno.test("secondsToMs() rejects negative and NaN", () => {
  assert.deepEqual(secondsToMs(-1), undefined);
  assert.deepEqual(secondsToMs(NaN), undefined);
  assert.deepEqual(secondsToMs(0.25), 250);
});

Deno.test("formatMs() picks a readable unit", () => {
  assert.deepEqual(formatMs(250), "250ms");
  assert.deepEqual(formatMs(1500), "1.5s");
  assert.deepEqual(formatMs(180_000), "3m");
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
  assert.deepEqual(
    nodeStartupTimeout({ ...spec, startupTimeout: 3 }, 2, 1000),
    {
      ms: 3000,
      source: "node",
    },
  );
  assert.deepEqual(nodeStartupTimeout(spec, 2, 1000), {
    ms: 2000,
    source: "dataflow",
  });
  assert.deepEqual(nodeStartupTimeout(spec, undefined, 1000), {
    ms: 1000,
    source: "default",
  });
});
