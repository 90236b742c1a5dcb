/**
 * Coordinator operations that gather from daemons: CPU/memory for `list`,
 * log lines and log streams for `logs`, and distributed `build`.
 *
 * @module
 */
import { v7 as uuidV7 } from "uuid";
import type {
  DataflowMetrics,
  LogLine,
} from "../control/coordinator_daemon.ts";
import type { Peer } from "../control/peer.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { DataflowRecord, NodeResult } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import { placeNodes } from "./placement.ts";
import { withTimeout } from "./util.ts";
import { mergeFault } from "./fault.ts";
import type { FaultSummary } from "../fault/counters.ts";
import { errorMessage } from "../errors.ts";

/** CPU and memory per running dataflow, from the daemons running them. */
export async function collectMetrics(
  c: Coordinator,
): Promise<Map<string, DataflowMetrics>> {
  const out = new Map<string, DataflowMetrics>();
  const faults = new Map<string, FaultSummary[]>();
  const byDaemon = new Map<string, string[]>();
  for (const live of c.live.values()) {
    for (const d of live.daemons) {
      byDaemon.set(d, [...(byDaemon.get(d) ?? []), live.uuid]);
    }
  }
  await Promise.all([...byDaemon].map(async ([id, uuids]) => {
    const d = c.daemons.get(id);
    if (!d) return;
    try {
      const m = await withTimeout(
        d.peer.call<Record<string, DataflowMetrics>>("metrics", { uuids }),
        1500,
        "metrics timeout",
      );
      for (const [uuid, v] of Object.entries(m)) {
        const acc = out.get(uuid) ?? { cpu: 0, memoryBytes: 0, pids: [] };
        acc.cpu += v.cpu;
        acc.memoryBytes += v.memoryBytes;
        acc.pids.push(...v.pids);
        out.set(uuid, acc);
        if (v.fault) faults.set(uuid, [...(faults.get(uuid) ?? []), v.fault]);
      }
      // Fresh counters also update the stored record.
      c.onFaultReport(
        id,
        Object.fromEntries(
          Object.entries(m).filter(([, v]) => v.fault).map((
            [uuid, v],
          ) => [uuid, v.fault!]),
        ),
      );
    } catch {
      // a slow daemon leaves its columns empty
    }
  }));
  for (const [uuid, parts] of faults) {
    const live = c.live.get(uuid);
    // Daemons that did not answer keep their last reported counters.
    const merged = mergeFault(live ? live.fault.values() : parts);
    if (merged) out.get(uuid)!.fault = merged;
  }
  return out;
}

/**
 * Reads the log lines of `nodes` (all nodes when undefined) from their
 * daemons; each daemon applies `query` (see `src/control/log_query.ts`) before sending.
 */
export async function readLogs(
  c: Coordinator,
  record: DataflowRecord,
  nodes?: string[],
  query?: unknown,
): Promise<LogLine[]> {
  const wanted = nodes ?? Object.keys(record.nodeToDaemon);
  const byDaemon = new Map<string, string[]>();
  for (const n of wanted) {
    const d = record.nodeToDaemon[n];
    if (d === undefined) {
      throw new Error(
        `dataflow ${record.uuid} has no node "${n}" (nodes: ${
          Object.keys(record.nodeToDaemon).join(", ")
        })`,
      );
    }
    byDaemon.set(d, [...(byDaemon.get(d) ?? []), n]);
  }
  const parts = await Promise.all([...byDaemon].map(async ([id, ns]) => {
    const d = c.daemons.get(id);
    if (!d) {
      throw new Error(
        `the logs of ${
          ns.join(", ")
        } are on daemon "${id}", which is not connected`,
      );
    }
    const r = await withTimeout(
      d.peer.call<{ lines: LogLine[] }>("logs", {
        uuid: record.uuid,
        nodes: ns,
        query,
      }),
      10_000,
      `daemon "${id}" did not answer within 10s`,
    );
    return r.lines;
  }));
  return parts.flat();
}

/** Adds a CLI link that receives `log` events of `uuid`. */
export function followLogs(c: Coordinator, uuid: string, peer: Peer): void {
  const set = c.followers.get(uuid) ?? new Set();
  set.add(peer);
  c.followers.set(uuid, set);
  const record = c.config.store.getDataflow(uuid);
  for (const id of new Set(Object.values(record?.nodeToDaemon ?? {}))) {
    c.daemons.get(id)?.peer.call("logs_follow", { uuid, on: true })
      .catch(() => {});
  }
  peer.closed.then(() => {
    set.delete(peer);
    if (set.size === 0) {
      c.followers.delete(uuid);
      for (const id of new Set(Object.values(record?.nodeToDaemon ?? {}))) {
        c.daemons.get(id)?.peer.call("logs_follow", { uuid, on: false })
          .catch(() => {});
      }
    }
  });
}

/**
 * Runs the build steps of `descriptor` on the daemons its nodes are
 * placed on, forwarding their output to `peer` as `build_log` events.
 */
export async function buildOnDaemons(
  c: Coordinator,
  descriptor: Dataflow,
  peer: Peer,
  uv = false,
): Promise<{ results: Record<string, NodeResult> }> {
  const nodeToDaemon = placeNodes(descriptor, c.daemons.connected());
  const byDaemon = new Map<string, string[]>();
  for (const n of descriptor.nodes) {
    if (
      !n.build && !n.git && !/^https?:\/\//.test(n.path) &&
      !n.operators?.some((op) => op.build)
    ) continue;
    const d = nodeToDaemon[n.id];
    byDaemon.set(d, [...(byDaemon.get(d) ?? []), n.id]);
  }
  const buildId = uuidV7();
  c.builds.set(buildId, peer);
  const results: Record<string, NodeResult> = {};
  const span = c.tracer.span("build_dataflow", {
    fields: { build_id: buildId, path: descriptor.path },
  });
  try {
    await Promise.all([...byDaemon].map(async ([id, nodes]) => {
      const onDaemon = span.child("build_on_daemon", {
        daemon_id: id,
        nodes: nodes.join(", "),
      });
      try {
        const r = await c.daemons.get(id)!.peer.call<
          { results: Record<string, NodeResult> }
        >("build", {
          buildId,
          descriptor,
          nodes,
          uv,
          trace: onDaemon.context(),
        });
        Object.assign(results, r.results);
        const failed = Object.entries(r.results).filter(([, x]) => !x.ok);
        onDaemon.end(
          {},
          failed.length
            ? failed.map(([n]) => n).join(", ") + " failed"
            : undefined,
        );
      } catch (err) {
        onDaemon.end({}, errorMessage(err));
        throw err;
      }
    }));
  } finally {
    c.builds.delete(buildId);
    const failed = Object.entries(results).filter(([, x]) => !x.ok);
    span.end({}, failed.length ? `${failed.length} node(s) failed` : undefined);
  }
  return { results };
}
