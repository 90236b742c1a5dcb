import {
  deepEqual as assertDeepEquals,
  equal as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { formatInterval, parseInputSource } from "./input_source.ts";

Deno.test("parseInputSource() reads node outputs, splitting on the first /", () => {
  assertDeepEquals(parseInputSource("camera/image"), {
    ok: true,
    source: { kind: "node", node: "camera", output: "image" },
  });
  assertDeepEquals(parseInputSource("runtime/op/out"), {
    ok: true,
    source: { kind: "node", node: "runtime", output: "op/out" },
  });
});

Deno.test("parseInputSource() converts every timer unit to nanoseconds", () => {
  const ns = (text: string) => {
    const r = parseInputSource(text);
    assert(r.ok && r.source.kind === "timer", text);
    return r.source.intervalNs;
  };
  assertEquals(ns("dora/timer/secs/2"), 2_000_000_000n);
  assertEquals(ns("dora/timer/millis/100"), 100_000_000n);
  assertEquals(ns("dora/timer/micros/5"), 5_000n);
  assertEquals(ns("dora/timer/nanos/7"), 7n);
  assertEquals(ns("dora/timer/hz/30"), 33_333_333n);
  assertEquals(ns("dora/timer/hz/0.5"), 2_000_000_000n);
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
    assert(
      !r.ok && r.message.includes(reason!),
      `${text}: ${JSON.stringify(r)}`,
    );
  }
});

Deno.test("parseInputSource() reads dora/logs with optional level and node", () => {
  assertDeepEquals(parseInputSource("dora/logs"), {
    ok: true,
    source: { kind: "logs" },
  });
  assertDeepEquals(parseInputSource("dora/logs/warn/camera"), {
    ok: true,
    source: { kind: "logs", level: "warn", node: "camera" },
  });
  assert(!parseInputSource("dora/logs/loud").ok);
  assert(!parseInputSource("dora/other/x").ok);
  assert(!parseInputSource("no-slash").ok);
  assert(!parseInputSource("bad id/out").ok);
});

Deno.test("formatInterval() uses the coarsest exact unit", () => {
  assertEquals(formatInterval(100_000_000n), "millis/100");
  assertEquals(formatInterval(2_000_000_000n), "secs/2");
  assertEquals(formatInterval(1_500n), "nanos/1500");
  assertEquals(formatInterval(33_333_333n), "nanos/33333333");
});
