import assert from "node:assert/strict";
import { describeExit, RestartTracker } from "./restart_policy.ts";

const fail = { code: 1 };
const clean = { code: 0 };

Deno.test("RestartTracker.onExit() never restarts with policy never", () => {
  const t = new RestartTracker({ policy: "never", maxRestarts: 0, delayMs: 0 });
  assert.deepEqual(t.onExit(fail, 0), { action: "none", reason: "policy" });
});

Deno.test("RestartTracker.onExit() restarts failures only with on-failure", () => {
  const t = new RestartTracker({
    policy: "on-failure",
    maxRestarts: 0,
    delayMs: 0,
  });
  assert.deepEqual(t.onExit(clean, 0), { action: "none", reason: "policy" });
  assert.deepEqual(
    t.onExit({ code: null, signal: "SIGKILL" }, 0).action,
    "restart",
  );
  assert.deepEqual(t.onExit(fail, 0).action, "restart");
  assert.deepEqual(t.restartCount, 2);
});

Deno.test("RestartTracker.onExit() restarts clean exits with always", () => {
  const t = new RestartTracker({
    policy: "always",
    maxRestarts: 0,
    delayMs: 0,
  });
  assert.deepEqual(t.onExit(clean, 0), {
    action: "restart",
    delayMs: 0,
    attempt: 1,
    restartCount: 1,
  });
});

Deno.test("RestartTracker.onExit() gives up after max_restarts", () => {
  const t = new RestartTracker({
    policy: "on-failure",
    maxRestarts: 2,
    delayMs: 0,
  });
  assert.deepEqual(t.onExit(fail, 0).action, "restart");
  assert.deepEqual(t.onExit(fail, 1).action, "restart");
  assert.deepEqual(t.onExit(fail, 2), {
    action: "give-up",
    message: "max restarts (2) exceeded, giving up",
  });
  assert.deepEqual(t.disabled, true);
  assert.deepEqual(t.restartCount, 2);
});

Deno.test("RestartTracker.onExit() restarts forever with max_restarts 0", () => {
  const t = new RestartTracker({
    policy: "always",
    maxRestarts: 0,
    delayMs: 0,
  });
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(t.onExit(fail, i).action, "restart");
  }
  assert.deepEqual(t.restartCount, 100);
});

Deno.test("RestartTracker.onExit() doubles the backoff up to the cap", () => {
  const t = new RestartTracker({
    policy: "on-failure",
    maxRestarts: 0,
    delayMs: 100,
    maxDelayMs: 500,
  });
  const delays = [1, 2, 3, 4, 5].map((i) => {
    const d = t.onExit(fail, i);
    return d.action === "restart" ? d.delayMs : -1;
  });
  assert.deepEqual(delays, [100, 200, 400, 500, 500]);
});

Deno.test("RestartTracker.delayFor() caps the exponent at 16", () => {
  const t = new RestartTracker({
    policy: "always",
    maxRestarts: 0,
    delayMs: 1,
  });
  assert.deepEqual(t.delayFor(1000), 2 ** 16);
});

Deno.test("RestartTracker.onExit() resets the count when the window elapsed", () => {
  const t = new RestartTracker({
    policy: "on-failure",
    maxRestarts: 2,
    delayMs: 100,
    windowMs: 1000,
  });
  assert.deepEqual(t.onExit(fail, 0).action, "restart");
  assert.deepEqual(t.onExit(fail, 500).action, "restart");
  // 1000 ms after the window began: a fresh window, backoff starts over.
  assert.deepEqual(t.onExit(fail, 1000), {
    action: "restart",
    delayMs: 100,
    attempt: 1,
    restartCount: 3,
  });
  assert.deepEqual(t.onExit(fail, 1100).action, "restart");
  assert.deepEqual(t.onExit(fail, 1200).action, "give-up");
});

Deno.test("RestartTracker.onExit() does not restart once disabled", () => {
  const t = new RestartTracker({
    policy: "always",
    maxRestarts: 0,
    delayMs: 0,
  });
  t.disable();
  assert.deepEqual(t.onExit(fail, 0), { action: "none", reason: "disabled" });
});

Deno.test("describeExit() names the code or the signal", () => {
  assert.deepEqual(describeExit({ code: 3 }), "exited with code 3");
  assert.deepEqual(
    describeExit({ code: null, signal: "SIGKILL" }),
    "killed by SIGKILL",
  );
});
