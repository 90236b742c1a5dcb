/**
 * The registry of daemons: registration, heartbeats, lost detection.
 *
 * @module
 */
import type { DataAddress } from "../control/coordinator_daemon.ts";
import type { Peer } from "../control/peer.ts";

/** A daemon the coordinator knows in this run. */
export interface DaemonEntry {
  daemonId: string;
  machineId?: string;
  labels: Record<string, string>;
  dataAddr: DataAddress;
  peer: Peer;
  version: string;
  connectedAt: number;
  lastHeartbeat: number;
  /** `connected`, or `lost` after a heartbeat timeout / closed link. */
  state: "connected" | "lost";
  lostReason?: string;
}

/** Daemons by id, in registration order. */
export class DaemonRegistry {
  #daemons = new Map<string, DaemonEntry>();
  #waiters: { count: number; resolve: () => void }[] = [];

  /** Adds (or replaces a lost) daemon; throws if the id is live elsewhere. */
  register(entry: DaemonEntry): void {
    const old = this.#daemons.get(entry.daemonId);
    if (old && old.state === "connected" && !old.peer.isClosed) {
      throw new Error(
        `a daemon with machine id "${
          entry.machineId ?? "(default)"
        }" is already connected to this coordinator; give this one another --machine-id`,
      );
    }
    this.#daemons.delete(entry.daemonId);
    this.#daemons.set(entry.daemonId, entry);
    this.#wake();
  }

  /** A connected daemon by id. */
  get(daemonId: string): DaemonEntry | undefined {
    const d = this.#daemons.get(daemonId);
    return d?.state === "connected" ? d : undefined;
  }

  /** Every daemon seen in this run, connected or lost. */
  all(): DaemonEntry[] {
    return [...this.#daemons.values()];
  }

  /** Connected daemons in registration order. */
  connected(): DaemonEntry[] {
    return this.all().filter((d) => d.state === "connected");
  }

  /** Marks a daemon lost (its link closed or its heartbeat stopped). */
  markLost(daemonId: string, peer: Peer, reason: string): boolean {
    const d = this.#daemons.get(daemonId);
    if (!d || d.peer !== peer || d.state === "lost") return false;
    d.state = "lost";
    d.lostReason = reason;
    peer.close(1000, reason);
    return true;
  }

  /** Resolves once at least `count` daemons are connected. */
  waitFor(count: number): Promise<void> {
    if (this.connected().length >= count) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ count, resolve });
    return promise;
  }

  #wake(): void {
    const n = this.connected().length;
    this.#waiters = this.#waiters.filter((w) => {
      if (n >= w.count) w.resolve();
      return n < w.count;
    });
  }
}
