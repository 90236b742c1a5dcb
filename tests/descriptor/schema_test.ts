/**
 * `dora-schema.json` (for editors) is generated from the zod schema; this
 * keeps the committed file in sync. Regenerate with
 * `UPDATE_GOLDEN=1 deno test -A tests/descriptor/schema_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { doraJsonSchemaText } from "../../src/descriptor/json_schema.ts";
import { ROOT } from "../_support/dora.ts";

const FILE = `${ROOT}/dora-schema.json`;

Deno.test("dora-schema.json matches the zod schema", async () => {
  const text = doraJsonSchemaText();
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(FILE, text);
  }
  assert.equal(await Deno.readTextFile(FILE), text);
});

Deno.test("dora-schema.json lists every node field of the spec", () => {
  const schema = JSON.parse(doraJsonSchemaText());
  const node = schema.properties.nodes.items;
  assert.equal(node.additionalProperties, false);
  const spec =
    `id name description path git branch tag rev build inputs outputs env args
    restart_policy max_restarts restart_delay max_restart_delay restart_window
    health_check_timeout min_log_level send_stdout_as send_logs_as max_log_size
    max_rotated_files _unstable_deploy deploy operator operators module params permissions`;
  for (const key of spec.split(/\s+/)) {
    assert.ok(key in node.properties, `missing node field ${key}`);
  }
  for (
    const key of [
      "health_check_interval",
      "_unstable_debug",
      "debug",
      "env",
      "nodes",
    ]
  ) {
    assert.ok(key in schema.properties, `missing root field ${key}`);
  }
});

Deno.test("every example's YAML keys are known to the JSON schema", async () => {
  const schema = JSON.parse(doraJsonSchemaText());
  const nodeKeys = Object.keys(schema.properties.nodes.items.properties);
  for (const entry of Deno.readDirSync(`${ROOT}/examples`)) {
    if (!entry.isDirectory) continue;
    for (const f of Deno.readDirSync(`${ROOT}/examples/${entry.name}`)) {
      if (!/^dataflow.*\.ya?ml$/.test(f.name)) continue;
      const data = parse(
        await Deno.readTextFile(`${ROOT}/examples/${entry.name}/${f.name}`),
      );
      for (const node of data.nodes) {
        for (const key of Object.keys(node)) {
          assert.ok(nodeKeys.includes(key), `${entry.name}/${f.name}: ${key}`);
        }
      }
    }
  }
});
