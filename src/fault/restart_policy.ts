/**
 * The restart state machine of one node: policy, restart window, backoff and
 * the give-up limit (dora `spawn/prepared.rs` semantics).
 *
 * @module
 */
import { MAX_BACKOFF_EXPONENT, type RestartSettings } from "./settings.ts";

/** How a node process ended. */
export interface ExitStatus {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal name (e.g. `SIGKILL`) when killed by a signal. */
  signal?: string | null;
}

/** True when the process exited cleanly (code 0). */
export function exitedCleanly(status: ExitStatus): boolean {
  return status.code === 0 && !status.signal;
}

/** Describes an exit for people: `exited with code 3`, `killed by SIGKILL`. */
export function describeExit(status: ExitStatus): string {
  if (status.signal) return `killed by ${status.signal}`;
  return `exited with code ${status.code ?? "unknown"}`;
}

/** What to do after a node process exited. */
export type RestartDecision =
  | {
    action: "restart";
    /** Wait this long before spawning again. */
    delayMs: number;
    /** Restarts within the current window, including this one (1-based). */
    attempt: number;
    /** Total restarts of the node including this one: its next `restart_count`. */
    restartCount: number;
  }
  | {
    action: "none";
    /** `policy`: the policy does not restart this exit; `disabled`: a stop began or all inputs closed. */
    reason: "policy" | "disabled";
  }
  | {
    action: "give-up";
    /** `max restarts (N) exceeded, giving up`. */
    message: string;
  };

/**
 * Decides, exit by exit, whether a node is restarted.
 *
 * @example
 * ```ts
 * const t = new RestartTracker({ policy: "on-failure", maxRestarts: 2, delayMs: 100 });
 * t.onExit({ code: 1 }, 0); // { action: "restart", delayMs: 100, attempt: 1, restartCount: 1 }
 * t.onExit({ code: 1 }, 10); // { action: "restart", delayMs: 200, attempt: 2, restartCount: 2 }
 * t.onExit({ code: 1 }, 20); // { action: "give-up", message: "max restarts (2) exceeded, giving up" }
 * ```
 */
export class RestartTracker {
  readonly settings: RestartSettings;
  #disabled = false;
  #windowStart: number | undefined;
  #windowCount = 0;
  #restartCount = 0;

  constructor(settings: RestartSettings) {
    this.settings = settings;
  }

  /** Total restarts so far (the running process's `restart_count`). */
  get restartCount(): number {
    return this.#restartCount;
  }

  /** True once restarts are off for good (stop begun / all inputs closed). */
  get disabled(): boolean {
    return this.#disabled;
  }

  /** Turns restarts off for good: a stop began or ALL_INPUTS_CLOSED was sent. */
  disable(): void {
    this.#disabled = true;
  }

  /** Whether the policy would restart this exit at all. */
  wants(status: ExitStatus): boolean {
    switch (this.settings.policy) {
      case "always":
        return true;
      case "on-failure":
        return !exitedCleanly(status);
      default:
        return false;
    }
  }

  /** Backoff for the `attempt`-th restart in the window. */
  delayFor(attempt: number): number {
    const exp = Math.min(Math.max(attempt - 1, 0), MAX_BACKOFF_EXPONENT);
    const delay = this.settings.delayMs * 2 ** exp;
    const cap = this.settings.maxDelayMs;
    return cap === undefined ? delay : Math.min(delay, cap);
  }

  /** Decides what happens after the process exited with `status` at `now` (ms). */
  onExit(status: ExitStatus, now: number): RestartDecision {
    if (!this.wants(status)) return { action: "none", reason: "policy" };
    if (this.#disabled) return { action: "none", reason: "disabled" };
    const { windowMs, maxRestarts } = this.settings;
    if (
      this.#windowStart === undefined ||
      (windowMs !== undefined && now - this.#windowStart >= windowMs)
    ) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount++;
    if (maxRestarts > 0 && this.#windowCount > maxRestarts) {
      this.#disabled = true;
      return {
        action: "give-up",
        message: `max restarts (${maxRestarts}) exceeded, giving up`,
      };
    }
    this.#restartCount++;
    return {
      action: "restart",
      delayMs: this.delayFor(this.#windowCount),
      attempt: this.#windowCount,
      restartCount: this.#restartCount,
    };
  }
}
