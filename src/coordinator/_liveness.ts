/**
 * Daemon liveness: heartbeats out, silent daemons marked lost, and their
 * dataflows failed when they do not come back in time.
 *
 * @module
 */
import type { Peer } from "../control/peer.ts";
import type { Coordinator } from "./coordinator.ts";
import { maybeSettle } from "./_settle.ts";

/** One heartbeat tick: pings live daemons, marks silent ones lost. */
export function tick(c: Coordinator): void {
  const now = Date.now();
  for (const d of c.daemons.connected()) {
    if (now - d.lastHeartbeat > c.config.daemonTimeoutMs) {
      const silent = Math.round((now - d.lastHeartbeat) / 1000);
      if (
        c.daemons.markLost(d.daemonId, d.peer, `no heartbeat for ${silent}s`)
      ) {
        c.config.log(
          `daemon "${d.daemonId}" lost: no heartbeat for ${silent}s`,
        );
        failLaterIfGone(c, d.daemonId, d.peer);
      }
    } else d.peer.notify("heartbeat", {});
  }
}

/** A daemon's link closed. */
export function onDaemonClose(c: Coordinator, peer: Peer): void {
  const daemonId = peer.data.daemonId as string | undefined;
  if (!daemonId) return;
  if (c.daemons.markLost(daemonId, peer, "connection closed")) {
    c.config.log(`daemon "${daemonId}" disconnected`);
    failLaterIfGone(c, daemonId, peer);
  }
}

/** Fails the daemon's share of its dataflows unless it reconnects in time. */
function failLaterIfGone(c: Coordinator, daemonId: string, oldPeer: Peer) {
  setTimeout(() => {
    const now = c.daemons.get(daemonId);
    if (now && now.peer !== oldPeer) return; // it came back
    const affected = [...c.live.values()].filter((live) =>
      live.daemons.has(daemonId) && !live.finished.has(daemonId)
    );
    // The other daemons fail the lost machine's nodes for their receivers
    // and keep running the rest (best effort: one may be gone too).
    const survivors = new Map<string, string[]>();
    for (const live of affected) {
      for (const d of live.daemons) {
        if (d === daemonId || live.finished.has(d)) continue;
        survivors.set(d, [...(survivors.get(d) ?? []), live.uuid]);
      }
    }
    for (const [d, uuids] of survivors) {
      c.daemons.get(d)?.peer.notify("daemon_lost", { daemonId, uuids });
    }
    for (const live of affected) {
      live.finished.set(daemonId, {
        [`(daemon ${daemonId})`]: {
          ok: false,
          error: `daemon "${daemonId}" lost`,
        },
      });
      maybeSettle(c, live);
    }
  }, c.config.daemonTimeoutMs);
}
