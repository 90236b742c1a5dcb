/**
 * The JSON Schema of the dataflow descriptor, generated from the zod schema
 * (draft-07, like dora's `dora-schema.json`). Editors use it for completion
 * and checks. `tests/descriptor/schema_test.ts` keeps the committed file in
 * sync; regenerate it with:
 *
 * ```sh
 * deno run -A src/descriptor/json_schema.ts > dora-schema.json
 * ```
 *
 * @module
 */
import { z } from "zod";
import { DataflowSchema } from "./schema.ts";

/** The JSON Schema object for dataflow files. */
export function doraJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DataflowSchema, {
    target: "draft-7",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: "https://dora-rs.ai/dora-schema.json",
    title: "dora dataflow",
    description:
      "A dora dataflow descriptor: nodes, their inputs and outputs, and dataflow-level settings.",
    ...Object.fromEntries(
      Object.entries(schema).filter(([k]) => k !== "$schema"),
    ),
  };
}

/** The schema as the committed file's text. */
export function doraJsonSchemaText(): string {
  return JSON.stringify(doraJsonSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  Deno.stdout.writeSync(new TextEncoder().encode(doraJsonSchemaText()));
}
