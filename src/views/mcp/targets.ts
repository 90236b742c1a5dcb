/**
 * Which dataflow a tool acts on: a uuid, a name or a unique prefix of
 * either among the running dataflows, else (for logs and params of a
 * dataflow that ended) one the coordinator still knows; omitted, the only
 * running one.
 *
 * @module
 */
import type { Peer } from "../../control/peer.ts";
import {
  type DoraAccess,
  NoDataflowError,
  pickDataflow,
  type ViewedDataflow,
} from "../access.ts";

/** Finds dataflows and opens links to them. */
export class Targets {
  readonly access: DoraAccess;

  constructor(access: DoraAccess) {
    this.access = access;
  }

  /** The running dataflow `ref` names (or the only one). */
  async running(ref: string | undefined): Promise<ViewedDataflow> {
    const list = await this.access.list();
    if (list.length === 0) await this.#explainNone();
    return pickDataflow(list, ref);
  }

  /**
   * The dataflow `ref` names, running or not: a finished one only the
   * coordinator still knows is found by asking it.
   */
  async any(ref: string | undefined): Promise<ViewedDataflow> {
    const list = await this.access.list();
    try {
      return pickDataflow(list, ref);
    } catch (err) {
      if (!(err instanceof NoDataflowError) || ref === undefined) {
        if (list.length === 0) await this.#explainNone();
        throw err;
      }
      const peer = await this.access.coordinator();
      if (!peer) throw err;
      try {
        const r = await peer.call<{ uuid: string; name?: string }>(
          "resolve",
          { ref },
        );
        return { uuid: r.uuid, name: r.name ?? null, where: "coordinator" };
      } finally {
        peer.close(1000, "done");
      }
    }
  }

  /** Runs `fn` on a new link to the endpoint serving `d`, then closes it. */
  async withPeer<T>(
    d: ViewedDataflow,
    fn: (peer: Peer) => Promise<T>,
  ): Promise<T> {
    const peer = await this.access.connect(d);
    try {
      return await fn(peer);
    } finally {
      peer.close(1000, "done");
    }
  }

  async #explainNone(): Promise<never | void> {
    const peer = await this.access.coordinator();
    if (peer) {
      peer.close(1000, "done");
      return;
    }
    throw new NoDataflowError(
      `no dataflow is running, and no coordinator answers at ${this.access.coordinatorName} (start one with \`dora up\`, then use start_dataflow)`,
    );
  }
}
