/**
 * Operators, the daemon's side: how a runtime node (a node with `operator:`
 * or `operators:`) is planned — which runtime program hosts its operators,
 * their files, FFI, and the `DORA_RUNTIME_CONFIG` that tells the runtime
 * process where each operator output goes — and the file watcher behind
 * `--hot-reload`. The runtime programs themselves are node programs:
 * `nodes/runtime/ts/` (TypeScript and shared-library operators) and
 * `python -m dora._operator_runtime` (Python operators). The naming rules
 * (`node/op/output`, the single-operator short form) are applied while the
 * descriptor is resolved (`src/descriptor/operators.ts`).
 *
 * @example
 * ```ts
 * import { planRuntime } from "./mod.ts";
 * const node = dataflow.nodes.find((n) => n.kind === "runtime")!;
 * const plan = planRuntime(dataflow, node, dataflow.workingDir);
 * plan.language; // "python" | "deno"
 * JSON.stringify(plan.config); // DORA_RUNTIME_CONFIG
 * ```
 *
 * @module
 */
export { OperatorError } from "./errors.ts";
export { planRuntime, type RuntimePlan } from "./runtime_plan.ts";
export {
  type InternalReceiver,
  type OperatorKind,
  operatorKind,
  type RuntimeConfig,
  runtimeConfig,
  type RuntimeOperatorConfig,
} from "./runtime_config.ts";
export { OperatorWatcher, type WatchedOperator } from "./hot_reload.ts";
export { reloadableOperators } from "./watched.ts";

/** The input id that carries a reload request to a runtime node (see docs/operators.md). */
export const RELOAD_INPUT = "dora/reload";
