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

/** Keeps records in maps; copies on the way in and out. */
export class MemoryStore implements CoordinatorStore {
  readonly kind = "memory";
  #dataflows = new Map<string, DataflowRecord>();
  #daemons = new Map<string, DaemonRecord>();

  putDataflow(record: DataflowRecord): void {
    this.#dataflows.set(record.uuid, structuredClone(record));
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
