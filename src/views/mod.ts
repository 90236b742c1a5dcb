/**
 * The views of running dataflows beyond the terminal: the live web
 * dashboard (`ui/`, `dora ui`), the Foxglove WebSocket server (`foxglove/`,
 * `dora foxglove`) and the MCP server for agents (`mcp/`, `dora mcp`). They
 * read dataflows through the inspection API (taps, metrics, logs) of a
 * coordinator or of a `dora run`, found by the CLI ({@linkcode DoraAccess}).
 *
 * @example
 * ```ts
 * import { serveUi } from "./mod.ts";
 * const ui = serveUi({ access, port: 6080 });
 * console.log(ui.url);
 * ```
 *
 * @module
 */
export * from "./access.ts";
export * from "./listen.ts";
export * from "./outbox.ts";
export * from "./tapped.ts";
export * from "./watch.ts";
export * from "./watch_pool.ts";
export { serveUi, type UiOptions, type UiServer } from "./ui/server.ts";
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  type FoxgloveOptions,
  type FoxgloveServer,
  serveFoxglove,
} from "./foxglove/server.ts";
export {
  createMcpServer,
  type McpOptions,
  serveMcpStdio,
} from "./mcp/server.ts";
export { ControlError } from "./mcp/control.ts";
export { ReadOnlyError } from "./mcp/_tool.ts";
