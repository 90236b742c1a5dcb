/**
 * The message path inside a runtime: a node's socket connection, the routing
 * table (who receives what), the per-input receiver queues with their drop
 * and backpressure rules, and forwarding of outputs to local receivers and
 * remote daemons.
 *
 * @module
 */
export * from "./connection.ts";
export * from "./input_header.ts";
export * from "./receiver_queue.ts";
export * from "./routing.ts";
