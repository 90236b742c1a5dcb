/**
 * Loading an operator by kind (before the node connects, so that a missing
 * `Operator` or ABI symbol fails the start).
 *
 * @module
 */
import type { OperatorConfig } from "./config.ts";
import { type OperatorHost, OperatorLoadError } from "./operator_host.ts";
import { loadSharedLibraryOperator } from "./shared_library_operator.ts";
import { loadTypeScriptOperator } from "./typescript_operator.ts";

/** Imports or opens operator `op` of node `nodeId`. */
export function loadOperator(
  nodeId: string,
  op: OperatorConfig,
): Promise<OperatorHost> {
  const name = `operator "${op.id}" of node "${nodeId}"`;
  switch (op.kind) {
    case "typescript":
      return loadTypeScriptOperator(name, op.file);
    case "shared-library":
      return Promise.resolve(loadSharedLibraryOperator(name, op.file));
    default:
      return Promise.reject(
        new OperatorLoadError(
          `${name}: ${op.kind} operators run in their own runtime, not in Deno`,
        ),
      );
  }
}
