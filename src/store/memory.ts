/**
 * The in-memory store: forgotten when the coordinator exits.
 *
 * @module
 */
import type { ParamValue } from "../descriptor/node_params.ts";
import type {
  CoordinatorStore,
  DaemonRecord,
  DataflowParams,
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
  #params = new Map<string, DataflowParams>();

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
    this.#params.delete(uuid);
  }
  putDaemon(record: DaemonRecord): void {
    this.#daemons.set(record.daemonId, structuredClone(record));
  }
  listDaemons(): DaemonRecord[] {
    return [...this.#daemons.values()].map((r) => structuredClone(r));
  }
  putParam(uuid: string, node: string, key: string, value: ParamValue): void {
    let all = this.#params.get(uuid);
    if (!all) this.#params.set(uuid, all = {});
    (all[node] ??= {})[key] = structuredClone(value);
  }
  deleteParam(uuid: string, node: string, key: string): boolean {
    const params = this.#params.get(uuid)?.[node];
    if (!params || !Object.hasOwn(params, key)) return false;
    delete params[key];
    if (Object.keys(params).length === 0) delete this.#params.get(uuid)![node];
    return true;
  }
  getParams(uuid: string): DataflowParams {
    return structuredClone(this.#params.get(uuid) ?? {});
  }
  setParams(uuid: string, params: DataflowParams): void {
    const kept = Object.fromEntries(
      Object.entries(params).filter(([, p]) => Object.keys(p).length > 0),
    );
    this.#params.set(uuid, structuredClone(kept));
  }
  close(): void {}
}
