import assert from "node:assert/strict";
import type { NodeSpec } from "../model.ts";
import {
  nodeTypesConfig,
  parseTypeCheckMode,
  typeCheckModeFor,
} from "./runtime_config.ts";

Deno.test("parseTypeCheckMode() reads the spellings of DORA_RUNTIME_TYPE_CHECK", () => {
  for (const v of ["warn", "1", "true", "on", "WARN"]) {
    assert.equal(parseTypeCheckMode(v), "warn");
  }
  assert.equal(parseTypeCheckMode("error"), "error");
  for (const v of ["", "0", "false", "off"]) {
    assert.equal(parseTypeCheckMode(v), "off");
  }
  assert.equal(parseTypeCheckMode(undefined), undefined);
  assert.deepEqual(parseTypeCheckMode("maybe"), { invalid: "maybe" });
});

const spec = (env: Record<string, string> = {}): NodeSpec => ({
  id: "sink",
  path: "sink.py",
  env,
  inputs: [
    {
      id: "level",
      sourceText: "sensor/level",
      source: { kind: "node", node: "sensor", output: "level" },
      queueSize: 10,
      queuePolicy: "drop_oldest",
    },
    {
      id: "tick",
      sourceText: "dora/timer/millis/10",
      source: {
        kind: "timer",
        intervalNs: 10_000_000n,
        text: "dora/timer/millis/10",
      },
      queueSize: 10,
      queuePolicy: "drop_oldest",
    },
  ],
  outputs: ["out"],
  restartPolicy: "never",
  maxRestarts: 0,
  maxRotatedFiles: 5,
  types: {
    outputs: { out: { urn: "std/core/v1/Float32", dt: "f32" } },
    inputs: {
      level: { urn: "std/core/v1/UInt16", dt: "u16", accepts: ["u8", "u16"] },
      tick: { urn: "std/core/v1/UInt64", dt: "u64", accepts: ["u64"] },
    },
    metadata: {},
  },
});

Deno.test("typeCheckModeFor() prefers the node's env, then the dataflow, then the runtime's env", () => {
  assert.equal(
    typeCheckModeFor(spec({ DORA_RUNTIME_TYPE_CHECK: "error" }), {
      typeCheck: "warn",
    }, "warn"),
    "error",
  );
  assert.equal(
    typeCheckModeFor(spec({ DORA_RUNTIME_TYPE_CHECK: "off" }), {
      typeCheck: "warn",
    }, undefined),
    undefined,
  );
  assert.equal(
    typeCheckModeFor(spec(), { typeCheck: "warn" }, "error"),
    "warn",
  );
  assert.equal(typeCheckModeFor(spec(), {}, "1"), "warn");
  assert.equal(typeCheckModeFor(spec(), {}, undefined), undefined);
});

Deno.test("nodeTypesConfig() lists typed outputs and node inputs, not timers", () => {
  assert.equal(nodeTypesConfig(spec(), undefined), undefined);
  assert.deepEqual(nodeTypesConfig(spec(), "warn"), {
    check: "warn",
    outputs: { out: { urn: "std/core/v1/Float32", dt: "f32" } },
    inputs: {
      level: {
        urn: "std/core/v1/UInt16",
        accepts: ["u8", "u16"],
        from: "sensor/level",
      },
    },
  });
});
