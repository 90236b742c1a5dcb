/**
 * Health checks: a connected node that sends the daemon nothing for longer
 * than its `health_check_timeout` is considered hung.
 *
 * @module
 */

interface Watched {
  timeoutMs: number;
  lastActivity: number;
  /** A `next` request is parked at the daemon: the node waits for us, it is not hung. */
  waiting: boolean;
}

/** A node found silent for too long by {@linkcode HealthMonitor.expired}. */
export interface HealthExpiry {
  node: string;
  silentMs: number;
  timeoutMs: number;
}

/**
 * Tracks the last request of every watched node.
 *
 * @example
 * ```ts
 * const m = new HealthMonitor();
 * m.watch("camera", 1000, 0);
 * m.expired(1500); // [{ node: "camera", silentMs: 1500, timeoutMs: 1000 }]
 * ```
 */
export class HealthMonitor {
  #nodes = new Map<string, Watched>();

  /** Starts watching `node` with a fresh clock (on connect, and after a restart). */
  watch(node: string, timeoutMs: number, now: number): void {
    this.#nodes.set(node, { timeoutMs, lastActivity: now, waiting: false });
  }

  /** Stops watching `node` (it exited, or a stop began). */
  unwatch(node: string): void {
    this.#nodes.delete(node);
  }

  /** True while `node` is watched. */
  has(node: string): boolean {
    return this.#nodes.has(node);
  }

  /** Any request from the node counts as a sign of life. */
  activity(node: string, now: number): void {
    const w = this.#nodes.get(node);
    if (w) w.lastActivity = now;
  }

  /**
   * Marks a parked `next` request: while the daemon holds it the node is
   * idle, not hung. When the daemon answers, the clock starts again.
   */
  waiting(node: string, waiting: boolean, now: number): void {
    const w = this.#nodes.get(node);
    if (!w) return;
    w.waiting = waiting;
    w.lastActivity = now;
  }

  /**
   * Nodes silent past their timeout; they are no longer watched.
   * `isWaiting` can tell that a node is parked in `next` right now (idle,
   * not hung): its clock then restarts.
   */
  expired(now: number, isWaiting?: (node: string) => boolean): HealthExpiry[] {
    const out: HealthExpiry[] = [];
    for (const [node, w] of this.#nodes) {
      if (w.waiting) continue;
      if (isWaiting?.(node)) {
        w.lastActivity = now;
        continue;
      }
      const silentMs = now - w.lastActivity;
      if (silentMs > w.timeoutMs) {
        out.push({ node, silentMs, timeoutMs: w.timeoutMs });
        this.#nodes.delete(node);
      }
    }
    return out;
  }
}
