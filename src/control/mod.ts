/**
 * The control plane shared by the CLI, the coordinator and daemons:
 * WebSocket JSON requests, responses and events (see `docs/coordinator.md`).
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./peer.ts";
export * from "./json.ts";
export * from "./auth.ts";
export * from "./target.ts";
export * from "./client.ts";
