/**
 * The in-memory store: forgotten when the coordinator exits.
 *
 * @module
 */
import type {
  CoordinatorStore,
  DaemonRecord,
  DataflowRecord,
} from "./types.ts";
import { isTerminal, MAX_TERMINAL_RECORDS } from "./types.ts";

/**
 * Keeps records in maps; copies on the way in and out. At most
 * {@link MAX_TERMINAL_RECORDS} finished dataflows are kept.
 */
export class MemoryStore implements CoordinatorStore {
  readonly kind = "memory";
  #dataflows = new Map<string, DataflowRecord>();
  #daemons = new Map<string, DaemonRecord>();

  putDataflow(record: DataflowRecord): void {
    this.#dataflows.set(record.uuid, structuredClone(record));
    if (isTerminal(record.status)) this.#prune();
  }

  /** Forgets the oldest finished dataflows beyond the cap. */
  #prune(): void {
    const done = [...this.#dataflows.values()].filter((r) =>
      isTerminal(r.status)
    );
    if (done.length <= MAX_TERMINAL_RECORDS) return;
    done.sort((a, b) => a.createdAt - b.createdAt);
    for (const r of done.slice(0, done.length - MAX_TERMINAL_RECORDS)) {
      this.#dataflows.delete(r.uuid);
    }
  }
  getDataflow(uuid: string): DataflowRecord | undefined {
    const r = this.#dataflows.get(uuid);
    return r && structuredClone(r);
  }
  listDataflows(): DataflowRecord[] {
    return [...this.#dataflows.values()].map((r) => structuredClone(r))
      .sort((a, b) => a.createdAt - b.createdAt);
  }
  deleteDataflow(uuid: string): void {
    this.#dataflows.delete(uuid);
  }
  putDaemon(record: DaemonRecord): void {
    this.#daemons.set(record.daemonId, structuredClone(record));
  }
  listDaemons(): DaemonRecord[] {
    return [...this.#daemons.values()].map((r) => structuredClone(r));
  }
  close(): void {}
}
