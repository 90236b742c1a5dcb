/**
 * The watches of one view server: one {@linkcode DataflowWatch} per watched
 * dataflow, shared by every viewer that looks at it, opened on the first
 * viewer and closed when the last one leaves.
 *
 * @module
 */
import type { DoraAccess, ViewedDataflow } from "./access.ts";
import { DataflowWatch } from "./watch.ts";

/** A viewer's hold on a shared watch. */
export interface WatchLease {
  watch: DataflowWatch;
  /** Gives the lease back (idempotent); the last one closes the watch. */
  release(): void;
}

/** Shared watches by dataflow uuid. */
export class WatchPool {
  readonly access: DoraAccess;
  #entries = new Map<
    string,
    { watch: Promise<DataflowWatch>; holders: number }
  >();
  #pollMs?: number;

  constructor(access: DoraAccess, opts: { pollMs?: number } = {}) {
    this.access = access;
    this.#pollMs = opts.pollMs;
  }

  /** Watches `dataflow` (shared with other viewers). */
  async lease(dataflow: ViewedDataflow): Promise<WatchLease> {
    let e = this.#entries.get(dataflow.uuid);
    if (e) {
      // A watch of a dataflow that ended is replaced by a new one.
      const w = await e.watch.catch(() => undefined);
      if (!w || w.ended) {
        if (this.#entries.get(dataflow.uuid) === e) {
          this.#entries.delete(dataflow.uuid);
          if (w && e.holders === 0) w.close();
        }
        e = undefined;
      }
    }
    if (!e) {
      const entry = {
        watch: DataflowWatch.open(this.access, dataflow, {
          pollMs: this.#pollMs,
        }),
        holders: 0,
      };
      entry.watch.catch(() => {
        if (this.#entries.get(dataflow.uuid) === entry) {
          this.#entries.delete(dataflow.uuid);
        }
      });
      this.#entries.set(dataflow.uuid, entry);
      e = entry;
    }
    const entry = e;
    entry.holders++;
    let watch: DataflowWatch;
    try {
      watch = await entry.watch;
    } catch (err) {
      entry.holders--;
      throw err;
    }
    let released = false;
    return {
      watch,
      release: () => {
        if (released) return;
        released = true;
        entry.holders--;
        if (entry.holders === 0) {
          if (this.#entries.get(dataflow.uuid) === entry) {
            this.#entries.delete(dataflow.uuid);
          }
          watch.close();
        }
      },
    };
  }

  /** Dataflows watched now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Closes every watch. */
  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    for (const e of all) (await e.watch.catch(() => undefined))?.close();
  }
}
