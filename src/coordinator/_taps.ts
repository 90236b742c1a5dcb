/**
 * The message tap through the coordinator: a CLI's `topic_subscribe` becomes
 * one `tap_start` on each daemon that runs a publisher of the topics; their
 * `tap_data` batches are relayed to the CLI as `topic_data` (dropped and
 * counted while the CLI's link is congested), and `topic_end` follows when
 * the dataflow ends. A CLI that goes away (even killed) ends its taps on
 * every daemon. `topic_publish` goes to the publisher's daemon.
 *
 * @module
 */
import {
  tapOptions,
  type TopicEndEvent,
  type TopicPublishParams,
  type TopicSubscribeParams,
  type TopicSubscribeResult,
} from "../control/inspect.ts";
import type { Peer } from "../control/peer.ts";
import {
  CONGESTED_BYTES,
  dataflowTopics,
  DebugDisabledError,
  resolveTopics,
  type TapBatch,
} from "../inspect/mod.ts";
import type { Coordinator } from "./coordinator.ts";
import { runningRecord } from "./_inspect.ts";
import { withTimeout } from "./util.ts";

/** A CLI's subscription as the coordinator relays it. */
export interface RelayedTap {
  id: string;
  uuid: string;
  cli: Peer;
  daemons: Set<string>;
  /** Copies dropped here (CLI link congested), per topic, not reported yet. */
  lost: Record<string, number>;
}

const ANSWER_MS = 5000;

function describe(r: { uuid: string; name?: string }): string {
  return r.name ? `${r.name} (${r.uuid})` : r.uuid;
}

/** `topic_subscribe` from a CLI. */
export async function topicSubscribe(
  c: Coordinator,
  cli: Peer,
  p: TopicSubscribeParams,
): Promise<TopicSubscribeResult> {
  const record = runningRecord(c, String(p.ref));
  const descriptor = c.descriptorOf(record);
  if (!descriptor.debug?.publishAllMessages) {
    throw new DebugDisabledError(describe(record));
  }
  const topics = resolveTopics(dataflowTopics(descriptor), p.topics ?? []);
  const options = tapOptions(p);
  const byDaemon = new Map<string, { node: string; output: string }[]>();
  for (const t of topics) {
    const d = record.nodeToDaemon[t.node]!;
    byDaemon.set(d, [...(byDaemon.get(d) ?? []), {
      node: t.node,
      output: t.output,
    }]);
  }
  const tap: RelayedTap = {
    id: crypto.randomUUID(),
    uuid: record.uuid,
    cli,
    daemons: new Set(),
    lost: {},
  };
  c.taps.set(tap.id, tap);
  try {
    await Promise.all([...byDaemon].map(async ([id, list]) => {
      const d = c.daemons.get(id);
      if (!d) throw new Error(`daemon "${id}" is not connected`);
      await withTimeout(
        d.peer.call("tap_start", {
          uuid: record.uuid,
          subscription: tap.id,
          topics: list,
          ...options,
        }),
        ANSWER_MS,
        `daemon "${id}" did not answer within ${ANSWER_MS / 1000}s`,
      );
      tap.daemons.add(id);
    }));
  } catch (err) {
    endTap(c, tap.id);
    throw err;
  }
  cli.closed.then(() => endTap(c, tap.id));
  return {
    subscription: tap.id,
    uuid: record.uuid,
    name: record.name ?? null,
    topics: topics.map((t) => t.topic),
  };
}

/** Ends a relayed tap on its daemons (idempotent). */
export function endTap(c: Coordinator, id: string): void {
  const tap = c.taps.get(id);
  if (!tap) return;
  c.taps.delete(id);
  for (const d of tap.daemons) {
    c.daemons.get(d)?.peer.call("tap_stop", { subscription: id })
      .catch(() => {});
  }
}

/** A daemon's `tap_data`: relayed to the CLI unless its link is congested. */
export function relayTapData(c: Coordinator, batch: TapBatch): void {
  const tap = c.taps.get(batch.subscription);
  if (!tap || tap.cli.isClosed) return;
  if (tap.cli.ws.bufferedAmount > CONGESTED_BYTES) {
    for (const m of batch.messages ?? []) {
      tap.lost[m.topic] = (tap.lost[m.topic] ?? 0) + 1;
    }
    for (const [topic, run] of Object.entries(batch.timing ?? {})) {
      tap.lost[topic] = (tap.lost[topic] ?? 0) + run[1].length;
    }
    for (const [topic, n] of Object.entries(batch.lost ?? {})) {
      tap.lost[topic] = (tap.lost[topic] ?? 0) + n;
    }
    return;
  }
  if (Object.keys(tap.lost).length) {
    const lost = { ...batch.lost };
    for (const [topic, n] of Object.entries(tap.lost)) {
      lost[topic] = (lost[topic] ?? 0) + n;
    }
    batch = { ...batch, lost };
    tap.lost = {};
  }
  tap.cli.notifyJson("topic_data", JSON.stringify(batch));
}

/** The dataflow `uuid` ended: its taps end, and their CLIs are told why. */
export function endTapsOf(c: Coordinator, uuid: string, reason: string): void {
  for (const tap of [...c.taps.values()]) {
    if (tap.uuid !== uuid) continue;
    const end: TopicEndEvent = { subscription: tap.id, uuid, reason };
    tap.cli.notify("topic_end", end);
    endTap(c, tap.id);
  }
}

/** `topic_publish` from a CLI: to the daemon of the topic's publisher. */
export async function topicPublish(
  c: Coordinator,
  p: TopicPublishParams,
): Promise<Record<string, never>> {
  const record = runningRecord(c, String(p.ref));
  const descriptor = c.descriptorOf(record);
  if (!descriptor.debug?.publishAllMessages) {
    throw new DebugDisabledError(describe(record));
  }
  const [t] = resolveTopics(dataflowTopics(descriptor), [String(p.topic)]);
  const id = record.nodeToDaemon[t!.node]!;
  const d = c.daemons.get(id);
  if (!d) {
    throw new Error(`daemon "${id}" of node "${t!.node}" is not connected`);
  }
  await withTimeout(
    d.peer.call("tap_publish", {
      uuid: record.uuid,
      node: t!.node,
      output: t!.output,
      d: p.d,
      b: p.b,
    }),
    ANSWER_MS,
    `daemon "${id}" did not answer within ${ANSWER_MS / 1000}s`,
  );
  return {};
}
