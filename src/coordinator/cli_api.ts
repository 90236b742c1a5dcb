/**
 * The methods CLI clients call on `/api/control`.
 *
 * @module
 */
import { DORA_VERSION } from "../version.ts";
import type { Peer } from "../control/peer.ts";
import { versionMismatch, VersionMismatchError } from "../control/protocol.ts";
import { checkResolvedDataflow } from "../descriptor/mod.ts";
import { isTerminal } from "../store/types.ts";
import { COUNTER_NAMES } from "../fault/counters.ts";
import type { Coordinator } from "./coordinator.ts";
import { withTimeout } from "./util.ts";
import type {
  GraphResult,
  NodeControlParams,
  NodeTarget,
  ParamDeleteParams,
  ParamSetParams,
} from "../control/changes.ts";
import { paramDelete, paramGet, paramList, paramSet } from "./_params.ts";
import { nodeControl } from "./_node_control.ts";
import { errorMessage } from "../errors.ts";
import { nodeInfo, topicList, traces } from "./_inspect.ts";
import { endTap, topicPublish, topicSubscribe } from "./_taps.ts";
import type {
  TopicPublishParams,
  TopicSubscribeParams,
} from "../control/inspect.ts";
import {
  buildOnDaemons,
  collectMetrics,
  followLogs,
  readLogs,
} from "./queries.ts";

/** Running dataflows and the fault counters summed over them. */
function runningSummary(c: Coordinator) {
  const running = c.config.store.listDataflows().filter((r) =>
    !isTerminal(r.status)
  );
  const fault = Object.fromEntries(
    COUNTER_NAMES.map((n) => [
      n,
      running.reduce((sum, r) => sum + (r.fault?.totals[n] ?? 0), 0),
    ]),
  );
  return { running: running.length, fault };
}

/** Builds the request handler for a CLI link. */
export function cliHandler(c: Coordinator) {
  return async (method: string, params: unknown, peer: Peer) => {
    const p = (params ?? {}) as Record<string, unknown>;
    if (method !== "hello" && !peer.data.hello) {
      throw new Error("the first request on a control link must be 'hello'");
    }
    switch (method) {
      case "hello": {
        const mismatch = versionMismatch(
          { role: "the coordinator", version: DORA_VERSION },
          { role: "the dora CLI", version: String(p.version) },
        );
        if (mismatch) throw new VersionMismatchError(mismatch);
        peer.data.hello = true;
        return {
          version: DORA_VERSION,
          coordinator: {
            interface: c.config.interface,
            port: c.config.port,
            startedAt: c.startedAt,
          },
        };
      }
      case "status":
        return {
          version: DORA_VERSION,
          pid: Deno.pid,
          interface: c.config.interface,
          port: c.config.port,
          store: c.config.store.kind,
          startedAt: c.startedAt,
          daemons: c.daemons.all().map((d) => ({
            daemonId: d.daemonId,
            machineId: d.machineId,
            version: d.version,
            labels: d.labels,
            state: d.state,
            lostReason: d.lostReason,
            pid: d.peer.data.pid,
            dataAddr: d.dataAddr,
            lastHeartbeatAgoMs: Date.now() - d.lastHeartbeat,
            dataflows:
              [...c.live.values()].filter((l) => l.daemons.has(d.daemonId))
                .length,
          })),
          dataflows: runningSummary(c),
        };
      case "wait_daemons":
        await withTimeout(
          c.daemons.waitFor(Number(p.count ?? 1)),
          Number(p.timeoutMs ?? 10_000),
          "no daemon connected in time",
        );
        return { daemons: c.daemons.connected().map((d) => d.daemonId) };
      case "list": {
        const metrics = await collectMetrics(c);
        return {
          dataflows: c.config.store.listDataflows().map((r) => {
            const m = metrics.get(r.uuid);
            return {
              uuid: r.uuid,
              name: r.name,
              status: r.status,
              nodes: Object.keys(r.nodeToDaemon).length,
              daemons: [...new Set(Object.values(r.nodeToDaemon))],
              cpu: m?.cpu,
              memoryBytes: m?.memoryBytes,
              error: r.error,
              fault: m?.fault ?? r.fault,
              createdAt: r.createdAt,
              updatedAt: r.updatedAt,
            };
          }),
        };
      }
      case "start": {
        // Resolved by the client: checked here before anything is placed.
        const r = await c.start(
          checkResolvedDataflow(p.descriptor),
          p.name as string | undefined,
          (p.env ?? {}) as Record<string, string>,
          { source: typeof p.source === "string" ? p.source : undefined },
        );
        return { uuid: r.uuid, name: r.name, nodeToDaemon: r.nodeToDaemon };
      }
      case "resolve": {
        const r = c.resolve(String(p.ref));
        return {
          uuid: r.uuid,
          name: r.name,
          status: r.status,
          nodes: Object.keys(r.nodeToDaemon),
        };
      }
      case "running":
        return {
          dataflows: c.config.store.listDataflows().filter((r) =>
            !isTerminal(r.status)
          ).map((r) => ({ uuid: r.uuid, name: r.name })),
        };
      case "stop": {
        const r = c.resolve(String(p.ref));
        return await c.stop(r.uuid, {
          graceMs: p.graceMs as number | undefined,
          force: Boolean(p.force),
        });
      }
      case "restart": {
        const old = c.resolve(String(p.ref));
        const span = c.tracer.span("restart_dataflow", {
          fields: { dataflow_id: old.uuid, name: old.name },
        });
        try {
          if (!isTerminal(old.status)) {
            await c.stop(old.uuid, {
              graceMs: p.graceMs as number | undefined,
              force: Boolean(p.force),
              trace: span.context(),
            });
          }
          // The graph and parameters as they are now, changes included.
          const r = await c.start(c.descriptorOf(old), old.name, old.env, {
            source: old.source,
            params: c.config.store.getParams(old.uuid),
            trace: span.context(),
          });
          span.end({ new_dataflow_id: r.uuid });
          return { oldUuid: old.uuid, uuid: r.uuid, name: r.name };
        } catch (err) {
          span.end({}, errorMessage(err));
          throw err;
        }
      }
      case "wait": {
        const r = c.resolve(String(p.uuid));
        return await c.wait(r.uuid);
      }
      case "logs": {
        const r = c.resolve(String(p.ref));
        const lines = await readLogs(
          c,
          r,
          p.nodes as string[] | undefined,
          p.query,
        );
        return { uuid: r.uuid, name: r.name, lines };
      }
      case "follow": {
        const r = c.resolve(String(p.ref));
        if (!isTerminal(r.status)) followLogs(c, r.uuid, peer);
        return { uuid: r.uuid, status: r.status };
      }
      case "clean": {
        let removed = 0;
        for (const r of c.config.store.listDataflows()) {
          if (isTerminal(r.status)) {
            c.config.store.deleteDataflow(r.uuid);
            removed++;
          }
        }
        return { removed };
      }
      case "build":
        return await buildOnDaemons(
          c,
          checkResolvedDataflow(p.descriptor),
          peer,
          Boolean(p.uv),
        );
      case "graph_get": {
        const r = c.resolve(String(p.ref));
        const descriptor = c.descriptorOf(r);
        const result: GraphResult = {
          uuid: r.uuid,
          name: r.name,
          revision: r.revision ?? 0,
          path: descriptor.path,
          source: r.source,
          descriptor,
        };
        return result;
      }
      case "param_list":
        return paramList(c, p as unknown as NodeTarget);
      case "param_get":
        return paramGet(c, p as unknown as NodeTarget & { key: string });
      case "param_set":
        return await paramSet(c, p as unknown as ParamSetParams);
      case "param_delete":
        return await paramDelete(c, p as unknown as ParamDeleteParams);
      case "node_restart":
      case "node_stop":
        return await nodeControl(c, method, p as unknown as NodeControlParams);
      case "node_info":
        return await nodeInfo(
          c,
          p.ref === undefined ? undefined : String(p.ref),
        );
      case "topic_list":
        return await topicList(c, String(p.ref));
      case "traces":
        return await traces(c);
      case "topic_subscribe":
        return await topicSubscribe(
          c,
          peer,
          p as unknown as TopicSubscribeParams,
        );
      case "topic_unsubscribe": {
        const tap = c.taps.get(String(p.subscription));
        if (tap?.cli === peer) endTap(c, tap.id);
        return {};
      }
      case "topic_publish":
        return await topicPublish(c, p as unknown as TopicPublishParams);
      case "destroy": {
        const r = await c.destroy(Boolean(p.force));
        setTimeout(() => c.onShutdown(), 10);
        return r;
      }
      default:
        throw new Error(`unknown method "${method}"`);
    }
  };
}
