/**
 * The coordinator's view of one dataflow while it runs on daemons.
 *
 * @module
 */
import type { FaultSummary } from "../fault/counters.ts";
import type { NodeResult } from "../store/types.ts";

/** The final state of a dataflow as reported to waiters. */
export interface DataflowOutcome {
  uuid: string;
  name?: string;
  status: "finished" | "failed";
  error?: string;
  results: Record<string, NodeResult>;
  /** Fault-tolerance counters per node, when fault tolerance was on. */
  fault?: FaultSummary;
}

/** A dataflow that has not reached a final state. */
export class LiveDataflow {
  readonly uuid: string;
  /** Daemon ids that run at least one node. */
  daemons: Set<string>;
  ready = new Set<string>();
  released = false;
  /** Daemon id → the node results it reported. */
  finished = new Map<string, Record<string, NodeResult>>();
  /** Daemon id → the fault counters of its nodes (latest report). */
  fault = new Map<string, FaultSummary>();
  stopRequested = false;
  /**
   * Re-adopted by a coordinator whose store did not know it: the daemons'
   * parameter values are taken, not replaced by the store's.
   */
  paramsFromDaemons = false;
  #waiters: ((o: DataflowOutcome) => void)[] = [];
  outcome?: DataflowOutcome;

  constructor(uuid: string, daemons: Iterable<string>) {
    this.uuid = uuid;
    this.daemons = new Set(daemons);
  }

  /** Whether every involved daemon has reported its nodes finished. */
  get allFinished(): boolean {
    return [...this.daemons].every((d) => this.finished.has(d));
  }

  /** Resolves with the outcome once the dataflow ends. */
  wait(): Promise<DataflowOutcome> {
    if (this.outcome) return Promise.resolve(this.outcome);
    const { promise, resolve } = Promise.withResolvers<DataflowOutcome>();
    this.#waiters.push(resolve);
    return promise;
  }

  /** Records the outcome and wakes waiters. */
  settle(outcome: DataflowOutcome): void {
    this.outcome = outcome;
    for (const w of this.#waiters) w(outcome);
    this.#waiters = [];
  }
}
