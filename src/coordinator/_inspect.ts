/**
 * Inspection through the coordinator: node metrics and topics of running
 * dataflows gathered from their daemons, and the spans of the coordinator's
 * and the daemons' work.
 *
 * @module
 */
import type {
  NodeInfoResult,
  TopicListResult,
  TracesResult,
} from "../control/inspect.ts";
import {
  dataflowTopics,
  type NodeInfo,
  topicInfos,
  type TraceSpan,
} from "../inspect/mod.ts";
import { isTerminal } from "../store/types.ts";
import type { DataflowRecord } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import { withTimeout } from "./util.ts";

/** How long a daemon gets to answer an inspection request. */
const ANSWER_MS = 3000;

/** The running dataflow `ref` names (an error for an ended one). */
export function runningRecord(c: Coordinator, ref: string): DataflowRecord {
  const r = c.resolve(ref);
  if (isTerminal(r.status) || !c.live.has(r.uuid)) {
    throw new Error(
      `dataflow ${
        r.name ? `"${r.name}" (${r.uuid})` : r.uuid
      } is not running (it ${r.status})`,
    );
  }
  return r;
}

/** Node infos of `records`, asked from the daemons that run their nodes. */
async function gather(
  c: Coordinator,
  records: DataflowRecord[],
): Promise<NodeInfoResult> {
  const byDaemon = new Map<string, string[]>();
  for (const r of records) {
    for (const d of c.live.get(r.uuid)?.daemons ?? []) {
      byDaemon.set(d, [...(byDaemon.get(d) ?? []), r.uuid]);
    }
  }
  const nodes: NodeInfo[] = [];
  const unreachable: string[] = [];
  await Promise.all([...byDaemon].map(async ([id, uuids]) => {
    const d = c.daemons.get(id);
    try {
      if (!d) throw new Error("not connected");
      const answer = await withTimeout(
        d.peer.call<Record<string, NodeInfo[]>>("node_info", { uuids }),
        ANSWER_MS,
        "timeout",
      );
      for (const list of Object.values(answer)) nodes.push(...list);
    } catch {
      unreachable.push(id);
    }
  }));
  // Names come from the coordinator's records (a daemon may not know them).
  const names = new Map(records.map((r) => [r.uuid, r.name ?? null]));
  for (const n of nodes) n.dataflow_name = names.get(n.dataflow_id) ?? null;
  // Dataflows in start order, nodes in descriptor order.
  const order = new Map(records.map((r, i) => [r.uuid, i]));
  const position = new Map(
    records.flatMap((r) =>
      Object.keys(r.nodeToDaemon).map((n, i) => [`${r.uuid}/${n}`, i])
    ),
  );
  nodes.sort((a, b) =>
    order.get(a.dataflow_id)! - order.get(b.dataflow_id)! ||
    (position.get(`${a.dataflow_id}/${a.node_id}`) ?? 0) -
      (position.get(`${b.dataflow_id}/${b.node_id}`) ?? 0)
  );
  return { nodes, unreachable: unreachable.sort() };
}

/** `node_info`: the nodes of `ref`, or of every running dataflow. */
export function nodeInfo(
  c: Coordinator,
  ref: string | undefined,
): Promise<NodeInfoResult> {
  const records = ref === undefined
    ? c.config.store.listDataflows().filter((r) =>
      !isTerminal(r.status) && c.live.has(r.uuid)
    )
    : [runningRecord(c, ref)];
  return gather(c, records);
}

/** `topic_list`: every output of `ref` with its live state. */
export async function topicList(
  c: Coordinator,
  ref: string,
): Promise<TopicListResult> {
  const r = runningRecord(c, ref);
  const descriptor = c.descriptorOf(r);
  const { nodes } = await gather(c, [r]);
  return {
    uuid: r.uuid,
    name: r.name ?? null,
    debug: descriptor.debug?.publishAllMessages ?? false,
    topics: topicInfos(dataflowTopics(descriptor), nodes),
  };
}

/** `traces`: the coordinator's spans and those of every connected daemon. */
export async function traces(c: Coordinator): Promise<TracesResult> {
  const spans: TraceSpan[] = [...c.tracer.spans()];
  await Promise.all(
    c.daemons.connected().map(async (d) => {
      try {
        const r = await withTimeout(
          d.peer.call<TracesResult>("traces", {}),
          ANSWER_MS,
          "timeout",
        );
        spans.push(...r.spans);
      } catch {
        // a silent daemon's spans are missing from the answer
      }
    }),
  );
  return { spans };
}
