/**
 * The inspection endpoint of a `dora run`: the same inspection methods as a
 * coordinator (`running`, `node_info`, `topic_list`, `traces`, `graph_get`, the topic
 * tap, `logs` and `follow`), served for the one in-process runtime on a loopback WebSocket with a
 * bearer token, announced in the run's private runtime folder (see
 * `src/control/local_endpoint.ts`). The CLI finds it without a coordinator.
 *
 * @module
 */
import { newToken, tokensEqual } from "../control/auth.ts";
import type { LocalChanges } from "./local_changes.ts";
import { Peer } from "../control/peer.ts";
import {
  CONTROL_PATH,
  versionMismatch,
  VersionMismatchError,
} from "../control/protocol.ts";
import {
  type LocalAnnounce,
  writeAnnounce,
} from "../control/local_endpoint.ts";
import {
  type NodeInfoResult,
  tapOptions,
  type TopicEndEvent,
  type TopicListResult,
  type TopicPublishParams,
  type TopicSubscribeParams,
  type TopicSubscribeResult,
} from "../control/inspect.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { GraphResult } from "../control/changes.ts";
import {
  CONGESTED_BYTES,
  dataflowTopics,
  DebugDisabledError,
  linkSink,
  METRICS_INTERVAL_MS,
  NodeMetrics,
  resolveTopics,
  type SampledDataflow,
  TapHub,
  topicInfos,
  type Tracer,
} from "../inspect/mod.ts";
import type { DataflowRuntime } from "../runtime/mod.ts";
import {
  filterRecords,
  listLogNodes,
  type LogRecord,
  readRunLogs,
} from "../logs/mod.ts";
import { fromWireQuery } from "../control/log_query.ts";
import { DORA_VERSION } from "../version.ts";

/** The daemon id of `dora run`'s nodes in `top` and `node info`. */
export const LOCAL_DAEMON_ID = "local";

/** A serving endpoint. */
export interface LocalEndpoint {
  /** Where it listens. */
  port: number;
  /** The announce written for the CLI. */
  announce: LocalAnnounce;
  /** Passes a node's log record to the links that `follow` the logs. */
  publishLog(record: LogRecord): void;
  /** Tells attached clients the dataflow ended, then stops serving. */
  close(): Promise<void>;
}

/** Options of {@linkcode serveLocalEndpoint}. */
export interface LocalEndpointOptions {
  runtime: DataflowRuntime;
  /** The dataflow's name (for `-d NAME`). */
  name: string;
  tracer: Tracer;
  /** The change methods (`param_*`, `node_*`, `graph_*`), when served. */
  changes?: LocalChanges;
}

/**
 * Serves the inspection API of `runtime` on 127.0.0.1 (a free port) and
 * announces it in the runtime folder. Call after `runtime.start()`.
 */
export function serveLocalEndpoint(
  opts: LocalEndpointOptions,
): LocalEndpoint {
  const { runtime, tracer } = opts;
  const token = newToken();
  const metrics = new NodeMetrics();
  // The runtime's graph: `dora node add/remove/…` change it in place.
  const dataflow: Dataflow = runtime.dataflow;
  const topics = () => dataflowTopics(dataflow);
  const sampled: SampledDataflow = {
    uuid: runtime.id,
    name: opts.name,
    daemonId: LOCAL_DAEMON_ID,
    get topics() {
      return topics();
    },
    nodes: () => runtime.nodeCounters(),
  };
  const sample = () => metrics.sample([sampled]);
  sample();
  const sampler = setInterval(sample, METRICS_INTERVAL_MS);
  Deno.unrefTimer(sampler);
  const fresh = () => {
    if (metrics.age(runtime.id) > 1000) sample();
    // Counters now (taps, queues, status), resources and rates sampled.
    return metrics.live(sampled);
  };
  const checkRef = (ref: unknown) => {
    if (ref === undefined || ref === null) return;
    const r = String(ref);
    if (r !== runtime.id && r !== opts.name && !runtime.id.startsWith(r)) {
      throw new Error(
        `no dataflow with uuid or name "${r}" here (this \`dora run\` runs ${opts.name} ${runtime.id})`,
      );
    }
  };
  const peers = new Set<Peer>();
  const hub = new TapHub();
  const debug = dataflow.debug?.publishAllMessages ?? false;
  const who = `${opts.name} (${runtime.id})`;
  /** Subscription id → the link that owns it. */
  const owners = new Map<string, Peer>();
  /** Links that `follow` the logs. */
  const followers = new Set<Peer>();
  const onRequest = (method: string, params: unknown, peer: Peer) => {
    const p = (params ?? {}) as Record<string, unknown>;
    if (method !== "hello" && !peer.data.hello) {
      throw new Error("the first request on a control link must be 'hello'");
    }
    if (opts.changes?.handles(method)) {
      checkRef(p.ref);
      return opts.changes.handle(method, p);
    }
    switch (method) {
      case "hello": {
        const mismatch = versionMismatch(
          { role: "this dora run", version: DORA_VERSION },
          { role: "the dora CLI", version: String(p.version) },
        );
        if (mismatch) throw new VersionMismatchError(mismatch);
        peer.data.hello = true;
        return {
          version: DORA_VERSION,
          coordinator: {
            interface: "127.0.0.1",
            port: server.addr.port,
            startedAt: announce.startedAt,
          },
          local: { uuid: runtime.id, name: opts.name, pid: Deno.pid },
        };
      }
      case "running":
        return { dataflows: [{ uuid: runtime.id, name: opts.name }] };
      case "node_info": {
        checkRef(p.ref);
        const result: NodeInfoResult = { nodes: fresh(), unreachable: [] };
        return result;
      }
      case "topic_list": {
        checkRef(p.ref);
        const result: TopicListResult = {
          uuid: runtime.id,
          name: opts.name,
          debug: dataflow.debug?.publishAllMessages ?? false,
          topics: topicInfos(topics(), fresh()),
        };
        return result;
      }
      case "graph_get": {
        // The dataflow as this run resolved it (its flat YAML is not kept:
        // the CLI, on this machine, expands `path` when it needs it).
        checkRef(p.ref);
        const result: GraphResult = {
          uuid: runtime.id,
          name: opts.name,
          revision: 0,
          path: dataflow.path,
          descriptor: dataflow,
        };
        return result;
      }
      case "traces":
        return { spans: tracer.spans() };
      case "logs":
        checkRef(p.ref);
        return (async () => {
          const dir = runtime.logDir;
          const nodes = Array.isArray(p.nodes)
            ? p.nodes.map(String)
            : await listLogNodes(dir).catch(() => []);
          const lines = await readRunLogs(dir, nodes);
          return {
            uuid: runtime.id,
            name: opts.name,
            lines: p.query
              ? filterRecords(lines, fromWireQuery(p.query))
              : lines,
          };
        })();
      case "follow":
        checkRef(p.ref);
        followers.add(peer);
        return { uuid: runtime.id, status: "running" };
      case "topic_subscribe": {
        const q = p as unknown as TopicSubscribeParams;
        checkRef(q.ref);
        if (!debug) throw new DebugDisabledError(who);
        const chosen = resolveTopics(topics(), q.topics ?? []);
        const id = crypto.randomUUID();
        hub.subscribe(
          id,
          runtime,
          chosen,
          { ...tapOptions(q), group: runtime.id },
          linkSink(peer, "topic_data"),
          () => owners.delete(id),
        );
        owners.set(id, peer);
        const result: TopicSubscribeResult = {
          subscription: id,
          uuid: runtime.id,
          name: opts.name,
          topics: chosen.map((t) => t.topic),
        };
        return result;
      }
      case "topic_unsubscribe": {
        const id = String(p.subscription);
        if (owners.get(id) === peer) hub.unsubscribe(id);
        return {};
      }
      case "topic_publish": {
        const q = p as unknown as TopicPublishParams;
        checkRef(q.ref);
        if (!debug) throw new DebugDisabledError(who);
        const [t] = resolveTopics(topics(), [String(q.topic)]);
        runtime.injectOutput(t!.node, t!.output, {
          layout: q.d,
          payload: q.b ? Uint8Array.fromBase64(q.b) : null,
        });
        return {};
      }
      default:
        throw new Error(`unknown method "${method}"`);
    }
  };
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen() {},
  }, (req) => {
    const url = new URL(req.url);
    if (url.pathname !== CONTROL_PATH) {
      return new Response("not found\n", { status: 404 });
    }
    // A web page may open WebSockets to loopback: browsers always send an
    // Origin, the CLI never does.
    if (req.headers.get("origin") !== null) {
      return new Response("cross-origin requests are refused\n", {
        status: 403,
      });
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    if (!m) {
      return new Response(
        "authentication required: send Authorization: Bearer <token>\n",
        { status: 401 },
      );
    }
    if (!tokensEqual(m[1]!, token)) {
      return new Response("invalid token\n", { status: 403 });
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: 0,
    });
    const peer = new Peer(socket, { onRequest });
    peers.add(peer);
    peer.closed.then(() => {
      peers.delete(peer);
      followers.delete(peer);
      // A client that went away (even killed) leaves no tap behind.
      for (const [id, owner] of owners) {
        if (owner === peer) hub.unsubscribe(id);
      }
    });
    return response;
  });
  const announce: LocalAnnounce = {
    uuid: runtime.id,
    name: opts.name,
    path: dataflow.path,
    pid: Deno.pid,
    addr: "127.0.0.1",
    port: server.addr.port,
    token,
    startedAt: Date.now(),
  };
  try {
    writeAnnounce(runtime.runtimeDir, announce);
  } catch {
    // the run ended already (its folder is gone): nothing to announce
  }
  let closing: Promise<void> | undefined;
  return {
    port: server.addr.port,
    announce,
    publishLog(record) {
      for (const p of followers) {
        // A follower that reads slower than nodes log misses lines rather
        // than growing this process's memory.
        if (p.ws.bufferedAmount > CONGESTED_BYTES) continue;
        p.notify("log", { record });
      }
    },
    close() {
      closing ??= (async () => {
        clearInterval(sampler);
        const summary = runtime.summary();
        for (const [id, peer] of owners) {
          hub.flushNow(id);
          const end: TopicEndEvent = {
            subscription: id,
            uuid: runtime.id,
            reason: summary.success ? "finished" : "failed",
          };
          peer.notify("topic_end", end);
        }
        hub.closeAll();
        for (const p of peers) {
          p.notify("dataflow_finished", { uuid: runtime.id });
          p.close(1000, "dataflow finished");
        }
        try {
          ac.abort();
        } catch {
          // already stopped
        }
        await server.finished;
      })();
      return closing;
    },
  };
}
