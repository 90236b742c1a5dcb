import assert from "node:assert/strict";
import { TypeCheckError, TypeGuard, typesConfig } from "./type_check.ts";

const config = (check: "warn" | "error") =>
  typesConfig({
    check,
    outputs: { speed: { urn: "std/core/v1/Float32", dt: "f32" } },
    inputs: {
      level: {
        urn: "std/core/v1/UInt32",
        accepts: ["u8", "u16", "u32"],
        from: "sensor/level",
      },
      raw: { urn: "std/core/v1/Bytes" },
    },
  })!;

Deno.test("TypeGuard.send() throws in error mode, naming node, output, expected and actual type", () => {
  const guard = new TypeGuard("planner", config("error"), () => {});
  guard.send("speed", "f32");
  guard.send("other", "f64"); // untyped output
  guard.send("speed", undefined); // an empty message
  assert.throws(
    () => guard.send("speed", "f64"),
    (e: Error) =>
      e instanceof TypeCheckError &&
      e.message ===
        'node "planner": output "speed" is typed std/core/v1/Float32 (Float32), but the data sent is Float64',
  );
  // Pattern messages may carry other shapes.
  guard.send("speed", "f64", { request_id: "r1" });
});

Deno.test("TypeGuard warns once per port and type in warn mode", () => {
  const warnings: string[] = [];
  const guard = new TypeGuard(
    "planner",
    config("warn"),
    (m) => warnings.push(m),
  );
  for (let i = 0; i < 3; i++) guard.send("speed", "f64");
  guard.send("speed", "i32");
  for (let i = 0; i < 3; i++) {
    assert.equal(guard.receive("level", "i64"), undefined);
  }
  assert.equal(warnings.length, 3);
  assert.ok(
    warnings[2]!.includes(
      'input "level" (from sensor/level) is typed std/core/v1/UInt32, but received Int64',
    ),
  );
});

Deno.test("TypeGuard.receive() accepts what the static rules let in, and anything for Bytes", () => {
  const guard = new TypeGuard("sink", config("error"), () => {});
  assert.equal(guard.receive("level", "u8"), undefined);
  assert.equal(guard.receive("level", "u32"), undefined);
  assert.equal(guard.receive("raw", { struct: [] }), undefined);
  assert.equal(guard.receive("level", "null"), undefined); // timer-like empty data
  assert.equal(
    guard.receive("level", "f32"),
    'node "sink": input "level" (from sensor/level) is typed std/core/v1/UInt32, but received Float32',
  );
});

Deno.test("typesConfig() is undefined unless a check mode is set", () => {
  assert.equal(typesConfig(undefined), undefined);
  assert.equal(typesConfig({ check: "maybe" }), undefined);
  assert.ok(typesConfig({ check: "warn" }));
});
