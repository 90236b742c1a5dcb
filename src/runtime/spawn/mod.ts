/**
 * Starting nodes: the command line of each kind of node (`spawn_plan.ts`),
 * Deno permission flags, the Python interpreter behind a shim, `args`
 * splitting, the node's `DORA_NODE_CONFIG`, the process with its own group
 * and parent-death signal (`node_process.ts`), the run's private folder, and
 * the start-up sequence of a runtime (`_startup.ts`).
 *
 * @module
 */
export * from "./spawn_plan.ts";
export * from "./node_config.ts";
export * from "./node_process.ts";
export * from "./permissions.ts";
export * from "./python_interpreter.ts";
export * from "./runtime_dir.ts";
export * from "./shell_words.ts";
