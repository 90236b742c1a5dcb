/**
 * Starting a dataflow: place its nodes, record it, spawn it on every daemon
 * involved, and roll back where the spawn worked if any daemon failed.
 *
 * @module
 */
import { v7 as uuidV7 } from "uuid";
import type { SpawnParams } from "../control/coordinator_daemon.ts";
import { encodeJson } from "../control/json.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { DataflowParams, DataflowRecord } from "../store/types.ts";
import { newDataSecret } from "../transport/mod.ts";
import { isTerminal } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import { LiveDataflow } from "./live.ts";
import { placeNodes } from "./placement.ts";
import { errorMessage } from "../errors.ts";
import { withTimeout } from "./util.ts";
import type { Span, SpanContext } from "../inspect/mod.ts";

/** What a start may carry besides the descriptor. */
export interface StartExtras {
  /** The flat descriptor YAML (what `dora expand` prints). */
  source?: string;
  /** Runtime parameters to start with (default: each node's `params:`). */
  params?: DataflowParams;
  /** The span this start belongs to (a restart's), for `dora trace`. */
  trace?: SpanContext;
}

/** Places, records and spawns a dataflow; resolves once every daemon spawned it. */
export async function startDataflow(
  c: Coordinator,
  descriptor: Dataflow,
  name: string | undefined,
  env: Record<string, string>,
  extra: StartExtras = {},
): Promise<DataflowRecord> {
  const span = c.tracer.span("start_dataflow", {
    parent: extra.trace,
    fields: { name, nodes: descriptor.nodes.length },
  });
  try {
    const record = await start(c, descriptor, name, env, extra, span);
    span.end({ dataflow_id: record.uuid });
    return record;
  } catch (err) {
    span.end({}, errorMessage(err));
    throw err;
  }
}

async function start(
  c: Coordinator,
  descriptor: Dataflow,
  name: string | undefined,
  env: Record<string, string>,
  extra: StartExtras,
  span: Span,
): Promise<DataflowRecord> {
  const store = c.config.store;
  if (name) {
    const clash = store.listDataflows().find((r) =>
      r.name === name && !isTerminal(r.status)
    );
    if (clash) {
      throw new Error(
        `a dataflow named "${name}" is already running (${clash.uuid}); stop it first or pick another --name`,
      );
    }
  }
  const place = span.child("place_nodes");
  let nodeToDaemon: Record<string, string>;
  try {
    nodeToDaemon = placeNodes(descriptor, c.daemons.connected());
    checkTransports(c, nodeToDaemon);
  } catch (err) {
    place.end({}, errorMessage(err));
    throw err;
  }
  place.end({ daemons: [...new Set(Object.values(nodeToDaemon))].join(", ") });
  const now = Date.now();
  const record: DataflowRecord = {
    uuid: uuidV7(),
    name,
    status: "pending",
    descriptor: encodeJson(descriptor),
    ...(extra.source !== undefined ? { source: extra.source } : {}),
    revision: 0,
    env,
    nodeToDaemon,
    createdAt: now,
    updatedAt: now,
  };
  store.putDataflow(record);
  const initialParams = extra.params ?? Object.fromEntries(
    descriptor.nodes.map((n) => [n.id, n.params ?? {}]),
  );
  store.setParams(record.uuid, initialParams);
  const involved = [...new Set(Object.values(nodeToDaemon))];
  const live = new LiveDataflow(record.uuid, involved);
  c.live.set(record.uuid, live);
  const peers = Object.fromEntries(
    involved.map((id) => [id, c.daemons.get(id)!.dataAddr]),
  );
  span.set({ dataflow_id: record.uuid });
  const params: SpawnParams = {
    uuid: record.uuid,
    name,
    descriptor,
    env,
    nodeToDaemon,
    peers,
    dataSecret: newDataSecret(),
    params: Object.fromEntries(
      Object.entries(initialParams).map(([n, p]) => [n, JSON.stringify(p)]),
    ),
    ...(extra.source !== undefined ? { source: extra.source } : {}),
  };
  const results = await Promise.allSettled(
    involved.map((id) => {
      const spawn = span.child("spawn_on_daemon", {
        daemon_id: id,
        nodes: Object.entries(nodeToDaemon).filter(([, d]) => d === id)
          .map(([n]) => n).join(", "),
      });
      return withTimeout(
        c.daemons.get(id)!.peer.call("spawn", {
          ...params,
          trace: spawn.context(),
        }),
        60_000,
        `daemon "${id}" did not answer spawn within 60s`,
      ).then((r) => {
        spawn.end();
        return r;
      }, (err) => {
        spawn.end({}, errorMessage(err));
        throw new Error(`daemon "${id}": ${errorMessage(err)}`);
      });
    }),
  );
  const failures = results.filter((r): r is PromiseRejectedResult =>
    r.status === "rejected"
  );
  if (failures.length) {
    // Roll back on the daemons where the spawn worked.
    involved.forEach((id, i) => {
      if (results[i].status === "fulfilled") {
        c.daemons.get(id)?.peer.call("stop", { uuid: record.uuid, force: true })
          .catch(() => {});
      }
    });
    const error = failures.map((f) => errorMessage(f.reason)).join("; ");
    c.live.delete(record.uuid);
    Object.assign(record, { status: "failed", error, updatedAt: Date.now() });
    store.putDataflow(record);
    live.settle({
      uuid: record.uuid,
      name,
      status: "failed",
      error,
      results: {},
    });
    throw new Error(`failed to start dataflow: ${error}`);
  }
  const current = store.getDataflow(record.uuid)!;
  if (current.status === "pending") {
    current.status = "running";
    current.updatedAt = Date.now();
    store.putDataflow(current);
  }
  c.config.log(`started dataflow ${record.uuid}${name ? ` (${name})` : ""}`);
  return current;
}

/** Every daemon of a dataflow must use the same data transport. */
function checkTransports(
  c: Coordinator,
  nodeToDaemon: Record<string, string>,
): void {
  const kinds = new Map<string, string[]>();
  for (const id of new Set(Object.values(nodeToDaemon))) {
    const kind = c.daemons.get(id)?.dataAddr.transport ?? "tcp";
    kinds.set(kind, [...(kinds.get(kind) ?? []), id]);
  }
  if (kinds.size > 1) {
    throw new Error(
      `the daemons of this dataflow use different data transports (${
        [...kinds].map(([k, ids]) =>
          `${k}: ${ids.map((i) => `"${i}"`).join(", ")}`
        ).join("; ")
      }); start them all with the same --transport`,
    );
  }
}
