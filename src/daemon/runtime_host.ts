/**
 * Runs a dataflow's local part with the runtime of `src/daemon` and wires
 * its remote hooks to the daemon-to-daemon transport.
 *
 * @module
 */
import {
  DataflowRuntime,
  OpenDataPublisher,
  type RemoteMessage,
} from "../runtime/mod.ts";
import { DEFAULT_ZENOH_ENDPOINT, ZenohUnreachableError } from "../zenoh/mod.ts";
import type { RunSummary } from "../runtime/mod.ts";
import { nodeConfig } from "../runtime/spawn/node_config.ts";
import { checkResolvedDataflow, type Dataflow } from "../descriptor/mod.ts";
import type { FaultSummary } from "../fault/counters.ts";
import type { WireMetadata } from "../message/mod.ts";
import type { NodeResult } from "../store/types.ts";
import type { InterDaemonMessage } from "../transport/types.ts";
import type { HostedDataflow, HostHooks, LaunchDataflow } from "./host.ts";
import { dataflowPids } from "./pids.ts";
import { buildDataflow, BuildError, ensureUv, UvError } from "../build/mod.ts";
import { buildChange, nodesToBuild } from "./graph_build.ts";

/** Node results for the coordinator from a runtime summary. */
export function resultsOf(summary: RunSummary): Record<string, NodeResult> {
  const out: Record<string, NodeResult> = {};
  for (const n of summary.nodes) {
    // A dynamic node that is still attached (or never joined) is not a failure.
    const ok = n.outcome === "finished" || n.outcome === "stopped" ||
      n.outcome === "running";
    out[n.id] = ok ? { ok } : {
      ok,
      error: n.message ??
        (n.exitCode !== null
          ? `exited with code ${n.exitCode}`
          : `killed by ${n.signal}`),
    };
    const drops = Object.fromEntries(
      Object.entries(n.drops).filter(([, v]) => v > 0),
    );
    if (Object.keys(drops).length) out[n.id].drops = drops;
  }
  if (summary.error && summary.nodes.every((n) => n.outcome !== "failed")) {
    out["(dataflow)"] = { ok: false, error: summary.error };
  }
  return out;
}

/** Daemon ids that host receivers of `node/output`, other than `self`. */
function remoteReceivers(
  dataflow: Dataflow,
  nodeToDaemon: Record<string, string>,
  self: string,
  node: string,
  outputs: string[],
): Set<string> {
  const out = new Set<string>();
  for (const n of dataflow.nodes) {
    const d = nodeToDaemon[n.id];
    if (d === undefined || d === self) continue;
    for (const i of n.inputs) {
      if (
        i.source.kind === "node" && i.source.node === node &&
        outputs.includes(i.source.output)
      ) out.add(d);
    }
  }
  return out;
}

/**
 * Open data of the local nodes (the dataflow's message tap is on). A
 * configured bridge must answer; the default one adds open data only when
 * it is there.
 */
async function startOpenData(
  runtime: DataflowRuntime,
  localNodes: string[],
  hooks: HostHooks,
): Promise<OpenDataPublisher | undefined> {
  const endpoint = hooks.zenohEndpoint ?? DEFAULT_ZENOH_ENDPOINT;
  try {
    return await OpenDataPublisher.start(
      runtime,
      localNodes,
      endpoint,
      (m) => hooks.log?.(m),
    );
  } catch (err) {
    if (!(err instanceof ZenohUnreachableError) || hooks.zenohRequired) {
      throw err;
    }
    hooks.log?.(
      `open data on zenoh is off: no zenoh bridge at ${endpoint} (\`dora daemon --zenoh-endpoint\` names one)`,
    );
    return undefined;
  }
}

/** The {@link LaunchDataflow} backed by `DataflowRuntime`. */
export const launchWithRuntime: LaunchDataflow = async (params, hooks) => {
  // The current graph: `graph_apply` changes it while the dataflow runs.
  let dataflow = params.descriptor;
  let nodeToDaemon = params.nodeToDaemon;
  const self = hooks.daemonId;
  const localOf = (placement: Record<string, string>) =>
    Object.entries(placement).filter(([, d]) => d === self).map(([n]) => n);
  let localNodes = localOf(nodeToDaemon);
  const multi = new Set(Object.values(params.nodeToDaemon)).size > 1;
  const env = params.env ?? {};
  const prepare = (
    dataflow: Dataflow,
    nodeParams: Record<string, string> | undefined,
  ): Dataflow => ({
    ...dataflow,
    nodes: dataflow.nodes.map((n) => {
      const node = { ...n, env: { ...n.env, ...env } };
      // The coordinator's current values (a restart keeps what was tuned).
      if (nodeParams) {
        const json = nodeParams[n.id];
        node.params = json === undefined ? {} : JSON.parse(json);
      }
      return node;
    }),
  });
  const withEnv = prepare(dataflow, params.params);
  // Cross-daemon bytes per local node (`dora top` NET TX / NET RX).
  const network = new Map<string, { sent: number; received: number }>(
    localNodes.map((n) => [n, { sent: 0, received: 0 }]),
  );
  const localReceivers = new Map<string, string[]>();
  // Who reads what here (again after each graph change).
  const countReceivers = () => {
    localReceivers.clear();
    for (const n of dataflow.nodes) {
      if (!localNodes.includes(n.id)) continue;
      if (!network.has(n.id)) network.set(n.id, { sent: 0, received: 0 });
      for (const i of n.inputs) {
        if (i.source.kind !== "node") continue;
        const key = `${i.source.node}/${i.source.output}`;
        localReceivers.set(key, [...(localReceivers.get(key) ?? []), n.id]);
      }
    }
  };
  countReceivers();
  // git nodes run from the clones `dora build` made, URL sources from the
  // download cache of this machine (fetched now when missing).
  let ready: Dataflow;
  let uv: string | undefined;
  try {
    if (dataflow.uv) uv = await ensureUv(() => {});
    ready = await buildDataflow(withEnv, {
      build: false,
      nodes: localNodes,
      onLine: () => {},
    });
  } catch (err) {
    if (err instanceof BuildError) {
      throw new Error(
        `${err.message}${
          err.step === "git"
            ? `; run \`dora build ${dataflow.path}\` first`
            : err.hint
            ? ` (${err.hint})`
            : ""
        }`,
      );
    }
    if (err instanceof UvError) {
      throw new Error(`uv: ${err.message} (${err.hint})`);
    }
    throw err;
  }
  const runtime = new DataflowRuntime({
    dataflow: ready,
    dataflowId: params.uuid,
    uv,
    localNodes,
    externalBarrier: multi,
    zenohEndpoint: hooks.zenohEndpoint,
    onStopRequest: hooks.onStopRequest,
    tracer: hooks.tracer,
    traceParent: params.trace,
    remoteCredits: multi && hooks.credits === true,
    onRemoteCredit(from, receiver, input, n) {
      // The current placement: the sender may have joined at run time.
      const d = nodeToDaemon[from];
      if (d === undefined || d === self) return;
      hooks.sendRemote(d, {
        t: "credit",
        df: params.uuid,
        node: receiver,
        input,
        n,
      }, null);
    },
    onRemoteOutput(msg: RemoteMessage) {
      const targets = remoteReceivers(
        dataflow,
        nodeToDaemon,
        self,
        msg.from,
        [
          msg.output,
        ],
      );
      if (targets.size === 0) return;
      const payload = msg.payload;
      const wire: InterDaemonMessage = {
        t: "output",
        df: params.uuid,
        node: msg.from,
        output: msg.output,
        m: msg.metadata,
        d: msg.data,
      };
      for (const d of targets) hooks.sendRemote(d, wire, payload);
      const tx = network.get(msg.from);
      if (tx) tx.sent += (payload?.byteLength ?? 0) * targets.size;
    },
    onRemoteOutputsClosed(node, outputs) {
      // One message object for every peer (a publishing transport sends it once).
      const closed: InterDaemonMessage = {
        t: "closed",
        df: params.uuid,
        node,
        outputs,
      };
      for (
        const d of remoteReceivers(
          dataflow,
          nodeToDaemon,
          self,
          node,
          outputs,
        )
      ) hooks.sendRemote(d, closed, null);
    },
    events: {
      onLocalReady: () => hooks.onReady(),
      onMessage: (level, text) => {
        if (level !== "debug") {
          console.error(`[${params.uuid.slice(0, 8)}] ${level}: ${text}`);
        }
      },
    },
  });
  // Subscribed before the start: messages sent at once are published too.
  const openData = dataflow.debug.publishAllMessages
    ? await startOpenData(runtime, localNodes, hooks)
    : undefined;
  try {
    await runtime.start();
  } catch (err) {
    await openData?.close();
    throw err;
  }
  runtime.finished.then(async () => {
    await openData?.close();
    const missed = (openData?.lost ?? 0) + (openData?.failed ?? 0);
    if (missed > 0) {
      hooks.log?.(
        `open data: ${missed} message(s) were not published (the zenoh bridge was slower than the dataflow, or gone)`,
      );
    }
  });
  let finalFault: FaultSummary | undefined;
  const finished = runtime.finished.then((summary) => {
    finalFault = summary.fault;
    return resultsOf(summary);
  });
  const hosted: HostedDataflow = {
    uuid: params.uuid,
    get descriptor() {
      return dataflow;
    },
    logDir: runtime.logDir,
    finished,
    stop: (opts) => runtime.stop(opts),
    release: () => runtime.releaseBarrier(),
    pids: () => dataflowPids(params.uuid),
    routes: runtime,
    nodeCounters: () => runtime.nodeCounters(),
    tap: runtime,
    network: () => network,
    faultSummary: () => finalFault ?? runtime.faultSummary(),
    deliver(msg, payload) {
      if (msg.t === "output") {
        for (const r of localReceivers.get(`${msg.node}/${msg.output}`) ?? []) {
          network.get(r)!.received += payload?.byteLength ?? 0;
        }
        runtime.injectRemote({
          from: msg.node,
          output: msg.output,
          metadata: msg.m as WireMetadata,
          data: msg.d,
          payload,
        });
      } else if (msg.t === "closed") {
        runtime.closeRemoteOutputs(msg.node, msg.outputs);
      } else if (
        msg.t === "credit" && typeof msg.node === "string" &&
        typeof msg.input === "string" && Number.isSafeInteger(msg.n) &&
        msg.n > 0
      ) {
        runtime.creditRemote(msg.node, msg.input, msg.n);
      } else if (msg.t === "resync") {
        runtime.resetRemoteCredits();
      }
    },
    params() {
      return Object.fromEntries(
        localNodes.map((n) => [n, runtime.params(n)]),
      );
    },
    setParam: (node, key, value) => runtime.setParam(node, key, value),
    deleteParam: (node, key) => runtime.deleteParam(node, key),
    syncParams: (node, p) => runtime.syncParams(node, p),
    restartNode: (node, graceMs) => runtime.restartNode(node, graceMs),
    stopNode: (node, graceMs) => runtime.stopNode(node, graceMs),
    async checkGraph(change) {
      const next = checkResolvedDataflow(change.descriptor);
      const local = localOf(change.nodeToDaemon);
      // Built here first (git, `build:`, URL): a node that does not build
      // fails the change before anything changed.
      const ready = await buildChange(
        prepare(next, change.params),
        nodesToBuild(dataflow, next, local),
        local,
        { build: true, uv },
      );
      runtime.checkGraph(ready, local);
    },
    async applyGraph(change) {
      const next = checkResolvedDataflow(change.descriptor);
      const local = localOf(change.nodeToDaemon);
      // Built by `checkGraph`: only resolved now.
      const ready = await buildChange(
        prepare(next, change.params),
        nodesToBuild(dataflow, next, local),
        local,
        { build: false, uv },
      );
      const summary = await runtime.applyGraph(ready, local, {
        graceMs: change.graceMs,
      });
      dataflow = next;
      nodeToDaemon = change.nodeToDaemon;
      localNodes = local;
      countReceivers();
      return summary;
    },
    peerLost(daemonId) {
      for (const [node, d] of Object.entries(nodeToDaemon)) {
        if (d === daemonId) {
          runtime.remoteNodeLost(node, `daemon "${daemonId}" lost`);
        }
      }
    },
    dynamicConfig(nodeId) {
      const spec = dataflow.nodes.find((n) => n.id === nodeId);
      if (!spec || spec.path !== "dynamic" || !localNodes.includes(nodeId)) {
        return undefined;
      }
      // Started by hand: no parent watchdog, data through the socket.
      return nodeConfig(spec, {
        dataflowId: params.uuid,
        socket: runtime.socketPath,
        restarts: 0,
        shm: false,
        parentPid: null,
        typeCheck: dataflow.typeCheck,
        descriptor: dataflow.descriptor,
      });
    },
  };
  return hosted;
};
