/**
 * Spawning a dataflow's local part on this daemon, and reporting its end.
 *
 * @module
 */
import type { SpawnParams } from "../control/coordinator_daemon.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { errorMessage } from "../errors.ts";
import { formatFaultSummary } from "../fault/counters.ts";
import { linkPlan } from "./_link_plan.ts";
import { type AgentState, type Entry, prune } from "./_state.ts";

/** Launches dataflow `params` (idempotent) and answers the coordinator's `spawn`. */
export async function spawnDataflow(
  s: AgentState,
  params: SpawnParams,
): Promise<unknown> {
  if (s.dataflows.has(params.uuid)) return {}; // idempotent
  if (typeof params.dataSecret !== "string" || !params.dataSecret) {
    throw new Error(`spawn of ${params.uuid} carries no data-link secret`);
  }
  const peers = new Map(Object.entries(params.peers));
  let readyEarly = false;
  /** Peers whose link failed (reported once). */
  const broken = new Set<string>();
  s.peers.set(params.uuid, peers);
  // Peers may connect as soon as they spawned their part.
  s.opts.transport.authorize(params.uuid, params.dataSecret);
  // Subscriptions and the readiness handshake (zenoh): the part is ready
  // only once every receiver on another machine can be reached.
  const linked = s.opts.transport.open?.(
    params.uuid,
    linkPlan(
      params.descriptor as Dataflow,
      params.nodeToDaemon,
      s.daemonId,
      params.peers,
    ),
  ) ?? Promise.resolve();
  linked.catch((err) => {
    s.opts.log(`dataflow ${params.uuid}: ${errorMessage(err)}; stopping it`);
    s.dataflows.get(params.uuid)?.hosted.stop({});
  });
  const hosted = await s.opts.launch(
    { ...params, descriptor: params.descriptor as Dataflow },
    {
      daemonId: s.daemonId,
      peers: params.peers,
      zenohEndpoint: s.opts.zenohEndpoint,
      zenohRequired: s.opts.zenohRequired,
      log: (m) => s.opts.log(`dataflow ${params.uuid}: ${m}`),
      tracer: s.tracer,
      onReady: () => {
        linked.then(() => {
          const e = s.dataflows.get(params.uuid);
          if (e) e.ready = true;
          else readyEarly = true;
          s.peer?.notify("dataflow_ready", { uuid: params.uuid });
        }, () => {});
      },
      // Every machine stops, through the coordinator (or here alone without one).
      onStopRequest: (node) => {
        if (s.peer) {
          s.peer.notify("dataflow_stop_requested", { uuid: params.uuid, node });
        } else s.dataflows.get(params.uuid)?.hosted.stop({});
      },
      credits: s.opts.transport.credits === true,
      sendRemote: (daemonId, msg, payload) => {
        const addr = peers.get(daemonId);
        if (!addr) return; // lost for good: its receivers are gone
        try {
          s.opts.transport.send(addr, msg, payload);
        } catch (err) {
          // A broken link must never take this daemon's nodes down.
          if (!broken.has(daemonId)) {
            broken.add(daemonId);
            s.opts.log(
              `data link to daemon "${daemonId}" (dataflow ${params.uuid}) failed: ${
                errorMessage(err)
              }; messages to it are dropped`,
            );
          }
        }
      },
    },
  ).catch(async (err) => {
    await s.opts.transport.release(params.uuid);
    throw err;
  });
  const multi = new Set(Object.values(params.nodeToDaemon)).size > 1;
  const entry: Entry = {
    hosted,
    params,
    reported: false,
    startedAt: Date.now(),
    ready: readyEarly,
    // A single-daemon dataflow releases its barrier by itself.
    released: !multi,
  };
  s.dataflows.set(params.uuid, entry);
  if (s.earlyRelease.delete(params.uuid) && !entry.released) {
    entry.released = true;
    hosted.release();
  }
  hosted.finished.then((results) => finished(s, entry, results));
  s.opts.log(`spawned dataflow ${params.uuid}`);
  return { pids: hosted.pids() };
}

/** The dataflow ended: flush its log tail, tell the coordinator, log faults. */
async function finished(
  s: AgentState,
  entry: Entry,
  results: NonNullable<Entry["results"]>,
): Promise<void> {
  const { uuid } = entry.params;
  // The last copies go out before the coordinator hears of the end.
  s.hub.closeGroup(uuid);
  const tailer = s.tailers.get(uuid);
  await tailer?.flush();
  tailer?.stop();
  s.tailers.delete(uuid);
  entry.results = results;
  // Its links are done: flush and close them; refuse new ones.
  await s.opts.transport.release(uuid);
  const fault = entry.hosted.faultSummary();
  if (s.peer && !s.peer.isClosed) {
    s.peer.notify("dataflow_finished", { uuid, results, fault });
    entry.reported = true;
  }
  s.opts.log(`dataflow ${uuid} finished`);
  // What fault tolerance did, in the daemon's log (nothing when all went well).
  const lines = fault ? formatFaultSummary(fault) : [];
  for (const line of lines) s.opts.log(`dataflow ${uuid} ${line.trim()}`);
  prune(s.dataflows);
}
