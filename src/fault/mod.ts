/**
 * Fault tolerance for running dataflows: restart policies with backoff and
 * windows, health checks, the `input_timeout` circuit breaker, NODE_RESTARTED /
 * NODE_FAILED propagation, the start-up timeout, the finish-straggler watchdog
 * and per-node counters. See docs/fault-tolerance.md.
 *
 * The runtime creates one {@linkcode FaultSupervisor} per dataflow and reports
 * events to it; the supervisor acts through a {@linkcode FaultHost}.
 *
 * @module
 */
export { type Clock, realClock } from "./clock.ts";
export {
  COUNTER_NAMES,
  type CounterName,
  type FaultSummary,
  formatFaultSummary,
  type NodeFaultStats,
  type NodeFaultStatus,
} from "./counters.ts";
export { downstreamOf } from "./graph.ts";
export { HealthMonitor } from "./health_monitor.ts";
export { InputBreaker } from "./input_breaker.ts";
export {
  describeExit,
  exitedCleanly,
  type ExitStatus,
  type RestartDecision,
  RestartTracker,
} from "./restart_policy.ts";
export {
  type DataflowTimeouts,
  dataflowTimeouts,
  DEFAULT_FINISH_GRACE_MS,
  DEFAULT_STARTUP_TIMEOUT_MS,
  formatMs,
  restartSettings,
} from "./settings.ts";
export {
  type ExitOutcome,
  type FaultEvent,
  type FaultHost,
  type FaultLogLevel,
  FaultSupervisor,
  type FaultSupervisorOptions,
} from "./supervisor.ts";
