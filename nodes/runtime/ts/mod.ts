/**
 * The Deno operator runtime: a node program (`main.ts`, started by dora with
 * `DORA_RUNTIME_CONFIG`) that hosts the TypeScript and shared-library
 * operators of one runtime node on top of the public node API. See
 * docs/operators.md.
 *
 * @module
 */
export { type OperatorConfig, type RuntimeConfig } from "./config.ts";
export { BACKPRESSURE_FACTOR, Inbox } from "./inbox.ts";
export { OperatorRuntime, passesLevel, RELOAD_INPUT } from "./runtime.ts";
export { loadOperator } from "./load.ts";
export { vectorBytes } from "./shared_library_operator.ts";
