/**
 * The `input_timeout` circuit breaker: an input that was flowing and went
 * quiet for longer than its timeout is closed at the receiver, and re-opened
 * when data flows again.
 *
 * @module
 */

interface Deadline {
  timeoutMs: number;
  /** Unarmed until the first message. */
  lastReceived?: number;
  broken: boolean;
}

/** What to do with a message arriving on a guarded input. */
export type BreakerVerdict =
  /** Deliver it as usual. */
  | "deliver"
  /** The input was broken: send INPUT_RECOVERED first, then deliver. */
  | "recover"
  /** The input is broken and the receiver is backpressured: drop (and count) it. */
  | "drop";

/** An input found timed out by {@linkcode InputBreaker.expired}. */
export interface InputExpiry {
  node: string;
  input: string;
  silentMs: number;
  timeoutMs: number;
}

const key = (node: string, input: string) => `${node}\u0000${input}`;

/**
 * Per-input deadlines for the inputs that have an `input_timeout`.
 *
 * @example
 * ```ts
 * const b = new InputBreaker();
 * b.guard("planner", "pose", 1000);
 * b.onMessage("planner", "pose", 0, false); // "deliver" (arms the deadline)
 * b.expired(1500); // [{ node: "planner", input: "pose", … }]
 * b.onMessage("planner", "pose", 1600, false); // "recover"
 * ```
 */
export class InputBreaker {
  #deadlines = new Map<string, Deadline & { node: string; input: string }>();

  /** Guards `node`'s `input` with a timeout (unarmed until its first message). */
  guard(node: string, input: string, timeoutMs: number): void {
    this.#deadlines.set(key(node, input), {
      node,
      input,
      timeoutMs,
      broken: false,
    });
  }

  /** Stops guarding an input that closed for real (upstream finished). */
  release(node: string, input: string): void {
    this.#deadlines.delete(key(node, input));
  }

  /** Disarms every input of `node` (it restarted: a new process, a clean slate). */
  reset(node: string): void {
    for (const d of this.#deadlines.values()) {
      if (d.node === node) {
        d.lastReceived = undefined;
        d.broken = false;
      }
    }
  }

  /** True when `input` of `node` is guarded. */
  guards(node: string, input: string): boolean {
    return this.#deadlines.has(key(node, input));
  }

  /** Inputs of `node` currently broken by a timeout. */
  broken(node: string): string[] {
    const out: string[] = [];
    for (const d of this.#deadlines.values()) {
      if (d.node === node && d.broken) out.push(d.input);
    }
    return out;
  }

  /**
   * A message arrived for `node`'s `input`. A broken input recovers only when
   * the receiver is not backpressured.
   */
  onMessage(
    node: string,
    input: string,
    now: number,
    backpressured: boolean,
  ): BreakerVerdict {
    const d = this.#deadlines.get(key(node, input));
    if (!d) return "deliver";
    if (d.broken) {
      if (backpressured) return "drop";
      d.broken = false;
      d.lastReceived = now;
      return "recover";
    }
    d.lastReceived = now;
    return "deliver";
  }

  /** Armed inputs silent past their timeout; they become broken. */
  expired(now: number): InputExpiry[] {
    const out: InputExpiry[] = [];
    for (const d of this.#deadlines.values()) {
      if (d.broken || d.lastReceived === undefined) continue;
      const silentMs = now - d.lastReceived;
      if (silentMs > d.timeoutMs) {
        d.broken = true;
        out.push({
          node: d.node,
          input: d.input,
          silentMs,
          timeoutMs: d.timeoutMs,
        });
      }
    }
    return out;
  }

  /** True when any input is guarded (the sweep needs to run). */
  get size(): number {
    return this.#deadlines.size;
  }
}
