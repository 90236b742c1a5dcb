import assert from "node:assert/strict";
import { formatInterval, parseInputSource } from "./input_source.ts";

Deno.test("parseInputSource() reads node outputs, splitting on the first /", () => {
  assert.deepEqual(parseInputSource("camera/image"), {
    ok: true,
    source: { kind: "node", node: "camera", output: "image" },
  });
  assert.deepEqual(parseInputSource("runtime/op/out"), {
    ok: true,
    source: { kind: "node", node: "runtime", output: "op/out" },
  });
});

Deno.test("parseInputSource() converts every timer unit to nanoseconds", () => {
  const ns = (text: string) => {
    const r = parseInputSource(text);
    assert.ok(r.ok && r.source.kind === "timer", text);
    return r.source.intervalNs;
  };
  assert.equal(ns("dora/timer/secs/2"), 2_000_000_000n);
  assert.equal(ns("dora/timer/millis/100"), 100_000_000n);
  assert.equal(ns("dora/timer/micros/5"), 5_000n);
  assert.equal(ns("dora/timer/nanos/7"), 7n);
  assert.equal(ns("dora/timer/hz/30"), 33_333_333n);
  assert.equal(ns("dora/timer/hz/0.5"), 2_000_000_000n);
});

Deno.test("parseInputSource() rejects bad timers with a reason", () => {
  for (
    const [text, reason] of [
      ["dora/timer/millis/0", "non-zero"],
      ["dora/timer/millis/1.5", "whole number"],
      ["dora/timer/hz/0", "greater than 0"],
      ["dora/timer/hz/abc", "greater than 0"],
      ["dora/timer/weeks/1", "unknown timer unit"],
      ["dora/timer/millis", "dora/timer/<unit>/<N>"],
      ["dora/timer/millis/1/2", "dora/timer/<unit>/<N>"],
    ]
  ) {
    const r = parseInputSource(text!);
    assert.ok(
      !r.ok && r.message.includes(reason!),
      `${text}: ${JSON.stringify(r)}`,
    );
  }
});

Deno.test("parseInputSource() reads dora/logs with optional level and node", () => {
  assert.deepEqual(parseInputSource("dora/logs"), {
    ok: true,
    source: { kind: "logs" },
  });
  assert.deepEqual(parseInputSource("dora/logs/warn/camera"), {
    ok: true,
    source: { kind: "logs", level: "warn", node: "camera" },
  });
  assert.ok(!parseInputSource("dora/logs/loud").ok);
  assert.ok(!parseInputSource("dora/other/x").ok);
  assert.ok(!parseInputSource("no-slash").ok);
  assert.ok(!parseInputSource("bad id/out").ok);
});

Deno.test("formatInterval() uses the coarsest exact unit", () => {
  assert.equal(formatInterval(100_000_000n), "millis/100");
  assert.equal(formatInterval(2_000_000_000n), "secs/2");
  assert.equal(formatInterval(1_500n), "nanos/1500");
  assert.equal(formatInterval(33_333_333n), "nanos/33333333");
});
