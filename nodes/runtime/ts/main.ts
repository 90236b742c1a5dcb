/**
 * The Deno operator runtime, started by dora for a node whose operators are
 * TypeScript modules or shared libraries: loads every operator (errors name
 * node, operator and file, before the node connects), connects as the node,
 * then runs them (`runtime.ts`).
 *
 * @module
 */
import { Node } from "../../api/ts/mod.ts";
import { runtimeConfigFromEnv } from "./config.ts";
import { LogCapture } from "./log_capture.ts";
import { loadOperator } from "./load.ts";
import type { OperatorHost } from "./operator_host.ts";
import { OperatorRuntime } from "./runtime.ts";

async function main(): Promise<number> {
  const config = runtimeConfigFromEnv();
  const hosts = new Map<string, OperatorHost>();
  for (const op of config.operators) {
    hosts.set(op.id, await loadOperator(config.node_id, op));
  }
  // Lines are captured from the start; the runtime receives them once it exists.
  const holder: { runtime?: OperatorRuntime } = {};
  const capture = new LogCapture((op, level, message) =>
    holder.runtime?.onLine(op, level, message)
  );
  const node = await Node.init();
  holder.runtime = new OperatorRuntime(node, config, hosts, capture);
  return await holder.runtime.run();
}

try {
  Deno.exit(await main());
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
