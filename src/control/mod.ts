/**
 * The control plane: the wire protocol between the CLI, the coordinator and
 * daemons (WebSocket JSON requests, responses and events, see
 * `docs/coordinator.md`). Messages are named after the link they travel:
 * `coordinator_daemon.ts` for coordinator ⇄ daemon, `log_query.ts` for the
 * log queries CLI → coordinator → daemon.
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./peer.ts";
export * from "./json.ts";
export * from "./auth.ts";
export * from "./target.ts";
export * from "./connect.ts";
export type * from "./coordinator_daemon.ts";
export * from "./log_query.ts";
export * from "./inspect.ts";
export * from "./local_endpoint.ts";
