/**
 * Looking inside running dataflows: per-node metrics sampled from `/proc`
 * and the runtime's counters (`node_metrics.ts`, `proc_sampler.ts`), spans
 * of dora's own work in a ring of 4096 (`trace.ts`), the topics of a
 * dataflow (`topics.ts`), publish-rate statistics (`rate_window.ts`),
 * readable tapped values (`value_format.ts`) and JSON → Arrow for
 * `topic pub` (`json_to_arrow.ts`). Used by the runtime, the daemon, the
 * coordinator, `dora run`'s local endpoint and the CLI's inspection commands.
 *
 * @example
 * ```ts
 * import { NodeMetrics, Tracer } from "./mod.ts";
 * const tracer = new Tracer("dora_daemon");
 * const metrics = new NodeMetrics();
 * ```
 *
 * @module
 */
export * from "./node_info.ts";
export * from "./node_metrics.ts";
export * from "./proc_sampler.ts";
export * from "./trace.ts";
export * from "./topics.ts";
export * from "./rate_window.ts";
export * from "./value_format.ts";
export * from "./json_to_arrow.ts";
export * from "./tap.ts";
export * from "./tap_hub.ts";
