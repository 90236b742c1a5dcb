/**
 * Fault-tolerance settings resolved from the descriptor and the environment,
 * in milliseconds.
 *
 * @module
 */
import type { NodeSpec, RestartPolicy } from "../descriptor/model.ts";

/** Default time a spawned node has to connect to the daemon. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** Default grace before a finished-but-lingering node is stopped (dora: 120 s). */
export const DEFAULT_FINISH_GRACE_MS = 120_000;
/** Default health sweep interval (descriptor `health_check_interval`). */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5_000;
/** Backoff exponent cap: `restart_delay × 2^min(n−1, 16)`. */
export const MAX_BACKOFF_EXPONENT = 16;

/** Restart settings of one node. */
export interface RestartSettings {
  policy: RestartPolicy;
  /** 0 = unlimited. */
  maxRestarts: number;
  /** Initial backoff; 0 = restart at once. */
  delayMs: number;
  /** Backoff cap; undefined = uncapped. */
  maxDelayMs?: number;
  /** Restart counter resets when this much time passed since the window began. */
  windowMs?: number;
}

/** Converts seconds from the descriptor to milliseconds (undefined stays). */
export function secondsToMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return undefined;
  }
  return seconds * 1000;
}

/** The restart settings of `node`. */
export function restartSettings(node: NodeSpec): RestartSettings {
  return {
    policy: node.restartPolicy,
    maxRestarts: Math.max(0, Math.floor(node.maxRestarts ?? 0)),
    delayMs: secondsToMs(node.restartDelay) ?? 0,
    maxDelayMs: secondsToMs(node.maxRestartDelay),
    windowMs: secondsToMs(node.restartWindow),
  };
}

/** Reads a duration in seconds from an environment variable. */
function envSeconds(
  name: string,
  env: (name: string) => string | undefined,
): number | undefined {
  const raw = env(name);
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission: use the defaults
  }
}

/** Dataflow-wide timeouts. */
export interface DataflowTimeouts {
  /** A spawned node must connect within this time. */
  startupTimeoutMs: number;
  /** Grace before a lingering node whose inputs all closed is stopped. */
  finishGraceMs: number;
  /** Health and input-timeout sweep interval. */
  healthCheckIntervalMs: number;
}

/**
 * Dataflow-wide timeouts: `DORA_STARTUP_TIMEOUT` and
 * `DORA_FINISH_DRAIN_GRACE_SECS` (seconds) override the defaults.
 */
export function dataflowTimeouts(
  healthCheckIntervalSecs: number | undefined,
  env: (name: string) => string | undefined = readEnv,
): DataflowTimeouts {
  return {
    startupTimeoutMs: envSeconds("DORA_STARTUP_TIMEOUT", env) ??
      DEFAULT_STARTUP_TIMEOUT_MS,
    finishGraceMs: envSeconds("DORA_FINISH_DRAIN_GRACE_SECS", env) ??
      DEFAULT_FINISH_GRACE_MS,
    healthCheckIntervalMs: Math.max(
      10,
      secondsToMs(healthCheckIntervalSecs) ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS,
    ),
  };
}

/** Where a node's start-up timeout came from (for the hint in the error). */
export type StartupTimeoutSource = "node" | "dataflow" | "default";

/**
 * The start-up timeout of `node`: its own `startup_timeout`, else the
 * dataflow's `startup_timeout`, else `fallbackMs` (DORA_STARTUP_TIMEOUT or
 * the default).
 */
export function nodeStartupTimeout(
  node: NodeSpec,
  dataflowSecs: number | undefined,
  fallbackMs: number,
): { ms: number; source: StartupTimeoutSource } {
  const own = secondsToMs(node.startupTimeout);
  if (own !== undefined) return { ms: own, source: "node" };
  const shared = secondsToMs(dataflowSecs);
  if (shared !== undefined) return { ms: shared, source: "dataflow" };
  return { ms: fallbackMs, source: "default" };
}

/** How to allow more time, for the start-up timeout error. */
export function startupTimeoutHint(source: StartupTimeoutSource): string {
  switch (source) {
    case "node":
      return "raise the node's `startup_timeout` to allow longer";
    case "dataflow":
      return "raise `startup_timeout` in the dataflow to allow longer";
    default:
      return "set `startup_timeout` in the dataflow or DORA_STARTUP_TIMEOUT to allow longer";
  }
}

/** Formats milliseconds for people: `250ms`, `1.5s`, `2m`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number(s.toFixed(2))}s`;
  return `${Number((s / 60).toFixed(1))}m`;
}
