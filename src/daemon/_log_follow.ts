/**
 * `dora logs --follow` on a daemon: tails the local nodes' logs of one
 * dataflow and pushes each record over the coordinator link.
 *
 * @module
 */
import { LogTailer } from "../logs/mod.ts";
import type { AgentState } from "./_state.ts";

/** Starts (`on`) or stops following the logs of dataflow `uuid`. */
export function follow(s: AgentState, uuid: string, on: boolean): void {
  const existing = s.tailers.get(uuid);
  if (!on) {
    existing?.stop();
    s.tailers.delete(uuid);
    return;
  }
  const e = s.dataflows.get(uuid);
  if (existing || !e || e.results) return;
  const nodes = Object.entries(e.params.nodeToDaemon)
    .filter(([, d]) => d === s.daemonId).map(([n]) => n);
  const tailer = new LogTailer(e.hosted.logDir, nodes);
  tailer.follow((record) => s.peer?.notify("log", { uuid, record }));
  s.tailers.set(uuid, tailer);
}

/** Stops every log subscription (the link they belonged to is gone). */
export function stopFollowing(s: AgentState): void {
  for (const t of s.tailers.values()) t.stop();
  s.tailers.clear();
}
