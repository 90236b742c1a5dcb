import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dataflowTimeouts, formatMs, secondsToMs } from "./settings.ts";

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
