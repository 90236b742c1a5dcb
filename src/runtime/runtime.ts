/**
 * `DataflowRuntime`: runs one dataflow's local nodes — spawn and supervise,
 * route messages through per-input queues, timers after the ready barrier,
 * logs, and the stop ladder. `dora run` is the CLI plus one of these; a daemon
 * runs one per dataflow and connects the remote hooks.
 *
 * The class is the public face; the work is done by functions over one
 * `RuntimeContext` (`_context.ts`), one concern per file:
 * `_startup.ts` (plan, socket, spawn, `hello`), `_barrier.ts` (ready
 * barrier, timers start), `_frames.ts` (what a node sends),
 * `_backpressure.ts` (held outputs of blocked senders), `_forwarding.ts`
 * (outputs to local and remote receivers, output closing, timer ticks),
 * `_delivery.ts` (answering `next`), `_exit.ts` (restart decision, outcome),
 * `_after_exit.ts` (what ends with a process), `_shm.ts` (regions of exited
 * processes), `_logs.ts` (node output lines), `_stop.ts` (stop ladder),
 * `_finish.ts` (end of the run, summary).
 *
 * @module
 */
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import type { HelloHeader, NodeToDaemon } from "../message/mod.ts";
import type {
  ConnectionHandler,
  NodeConnection,
} from "./delivery/connection.ts";
import { ReceiverQueue } from "./delivery/receiver_queue.ts";
import { RunningNode } from "./running_node.ts";
import { ShmTracker } from "./shm/shm_tracker.ts";
import { SpawnError } from "./spawn/spawn_plan.ts";
import type { RunSummary } from "./ending/summary.ts";
import { TimerHub } from "./timers.ts";
import { RoutingTable } from "./delivery/routing.ts";
import { nodeConfig } from "./spawn/node_config.ts";
import { FaultHooks } from "./fault_hooks.ts";
import type { RemoteMessage, RuntimeOptions } from "./options.ts";
import { message, RuntimeContext } from "./_context.ts";
import { onFrame, wakeSenders } from "./delivery/_backpressure.ts";
import { releaseBarrier } from "./_ready_barrier.ts";
import {
  deliver,
  deliverPending,
  dropsOf,
  onDrop,
} from "./delivery/_delivery.ts";
import { buildSummary } from "./ending/_finish.ts";
import { closeOutput, hlc, route, tick } from "./delivery/_forwarding.ts";
import { onClose, sendRelease } from "./delivery/_node_frames.ts";
import { unlinkRetired } from "./shm/_node_regions.ts";
import { onHello, start } from "./spawn/_startup.ts";
import { directEnabled } from "./delivery/direct_routes.ts";
import {
  addRoute,
  inject,
  type InjectedMessage,
  type NewInputSettings,
  removeRoute,
  RouteError,
  type RouteInfo,
  type RouteSpec,
  routeTable,
  subscribe,
} from "./delivery/route_changes.ts";
import type { Tap, TapOptions } from "./delivery/taps.ts";
import { failStart, stop, terminateNode } from "./ending/stop_ladder.ts";
import type { NodeParams, ParamValue } from "../descriptor/node_params.ts";
import { deleteParam, paramsOf, setParam, syncParams } from "./params.ts";
import { restartNode, stopNode } from "./node_control.ts";
import { remoteNodeLost } from "./ending/_remote_loss.ts";
import { RuntimeTrace } from "./_trace.ts";
import { nodeCounters } from "./_inspect.ts";
import { InjectError, type OutputTap, type TapSource } from "../inspect/tap.ts";
import type { DataLayout, WireMetadata, WireParam } from "../message/mod.ts";
import type { NodeCounters } from "../inspect/node_info.ts";
import type { SpanContext } from "../inspect/trace.ts";
import { RemoteCredits } from "./delivery/remote_credits.ts";
import {
  applyGraph,
  checkGraph,
  type GraphChangeOptions,
  type GraphChangeSummary,
  startReplacements,
} from "./graph_change.ts";
import { dropSuccessor } from "./node_swap.ts";

function isLocalIn(nodes: string[] | undefined): (id: string) => boolean {
  if (!nodes) return () => true;
  const set = new Set(nodes);
  return (id) => set.has(id);
}

export type * from "./options.ts";

/**
 * One running dataflow.
 *
 * @example
 * ```ts
 * const { dataflow } = await loadDataflow("dataflow.yml");
 * const runtime = new DataflowRuntime({ dataflow, events: { onLog: console.log } });
 * await runtime.start();
 * Deno.addSignalListener("SIGINT", () => runtime.stop());
 * const summary = await runtime.finished;
 * ```
 */
export class DataflowRuntime implements ConnectionHandler, TapSource {
  /** The dataflow's UUID. */
  readonly id: string;
  readonly dataflow: Dataflow;
  /** `<workingDir>/out/<id>`: the node log files. */
  readonly logDir: string;
  /** Resolves with the summary once every local node has exited. */
  readonly finished: Promise<RunSummary>;

  #rt: RuntimeContext;

  constructor(options: RuntimeOptions) {
    const rt = this.#rt = new RuntimeContext(options);
    rt.handler = this;
    this.id = rt.id;
    this.dataflow = rt.dataflow;
    this.logDir = rt.logDir;
    this.finished = new Promise((r) => (rt.resolveFinished = r));
    rt.direct = directEnabled(rt);
    rt.timers = new TimerHub((i) => tick(rt, i));
    if (options.tracer) {
      rt.trace = new RuntimeTrace(options.tracer, rt.id, options.traceParent);
    }
    rt.shm = new ShmTracker(
      (owner, tokens) => sendRelease(rt, owner, tokens),
      (regions) => unlinkRetired(rt, regions),
    );
    const local = options.localNodes ? new Set(options.localNodes) : undefined;
    for (const spec of rt.dataflow.nodes) {
      const node = new RunningNode(spec, local ? local.has(spec.id) : true);
      node.queue = new ReceiverQueue(spec.inputs, {
        onDrop: (input, msg, total) =>
          onDrop(rt, node, input, msg.token, msg.from, total),
        onLeave: (input, msg) => rt.credits.leave(rt, node, input, msg),
      });
      rt.nodes.set(spec.id, node);
    }
    rt.routing = new RoutingTable(
      rt.dataflow,
      (id) => rt.nodes.get(id)!.local,
    );
    rt.credits = new RemoteCredits(rt);
    for (const interval of rt.routing.timers.keys()) rt.timers.add(interval);
    if (options.faultTolerance !== false && !options.decideRestart) {
      rt.fault = new FaultHooks(rt.dataflow, {
        nodes: rt.nodes,
        deliver: (n) => deliver(rt, n),
        drops: (n) => dropsOf(rt, n),
        failStart: (m) => failStart(rt, m),
        terminate: (n, graceMs) => terminateNode(rt, n, graceMs),
        message: (l, t) => message(rt, l, t),
        logDir: rt.logDir,
      });
    }
  }

  /** Fault-tolerance counters (restarts, timeouts, …), when enabled. */
  faultSummary(): ReturnType<FaultHooks["summary"]> | undefined {
    return this.#rt.fault?.summary();
  }

  /**
   * The counters of every local node now: pid, restarts, status, and per
   * input / output the messages queued, received, dropped and sent so far
   * (`dora top`, `dora node list/info`).
   */
  nodeCounters(): NodeCounters[] {
    return nodeCounters(this.#rt);
  }

  /**
   * Taps `node/output` (`dora topic echo/hz/info`): every message it sends
   * from now on is copied into the returned bounded queue (drop-oldest, with
   * a lost count; payloads cut at `maxBytes`). No cost for outputs without a
   * tap. Throws {@linkcode InjectError} for an unknown output.
   */
  subscribeOutput(node: string, output: string, opts: TapOptions): OutputTap {
    try {
      return subscribe(this.#rt, node, output, opts);
    } catch (e) {
      throw e instanceof RouteError ? new InjectError(e.message) : e;
    }
  }

  /**
   * Delivers a message on `node/output` to its receivers (local and on other
   * machines) as if the node had sent it (`dora topic pub`); never blocks: a
   * full backpressure input sheds the copy and counts it. Throws
   * {@linkcode InjectError} when the output is unknown, closed, or remote.
   */
  injectOutput(
    node: string,
    output: string,
    msg: {
      params?: Record<string, WireParam>;
      layout?: DataLayout;
      payload: Uint8Array | null;
    },
  ): void {
    const rt = this.#rt;
    const n = rt.nodes.get(node);
    if (n && !n.local) {
      throw new InjectError(`node "${node}" runs on another machine`);
    }
    if (rt.state !== "running") {
      throw new InjectError("the dataflow is not running (it is stopping)");
    }
    const declared = n !== undefined &&
      [...n.spec.outputs, n.spec.sendStdoutAs, n.spec.sendLogsAs].includes(
        output,
      );
    if (declared && (n.exited || !n.openOutputs.has(output))) {
      throw new InjectError(
        `output "${node}/${output}" is closed (its node exited or closed it)`,
      );
    }
    const metadata: WireMetadata = { ts: hlc(rt).now().toString() };
    if (msg.params && Object.keys(msg.params).length) metadata.p = msg.params;
    try {
      inject(rt, node, output, {
        metadata,
        layout: msg.layout,
        payload: msg.payload ?? undefined,
      });
    } catch (e) {
      throw e instanceof RouteError ? new InjectError(e.message) : e;
    }
  }

  /**
   * The `DORA_NODE_CONFIG` object of a `path: dynamic` node of this runtime
   * (for a node started by hand), or `undefined` when there is none.
   */
  dynamicNodeConfig(nodeId: string): Record<string, unknown> | undefined {
    const rt = this.#rt;
    const n = rt.nodes.get(nodeId);
    if (!n || !n.local || !n.dynamic || rt.state === "finished") {
      return undefined;
    }
    // No parent watchdog and no FFI assumption: data through the socket.
    return nodeConfig(n.spec, {
      dataflowId: rt.id,
      socket: rt.socketPath,
      restarts: 0,
      shm: false,
      parentPid: null,
      typeCheck: rt.dataflow.typeCheck,
      descriptor: rt.dataflow.descriptor,
    });
  }

  /** The daemon socket path (valid after `start()`). */
  get socketPath(): string {
    return this.#rt.socketPath;
  }

  /** The run's private folder (socket, import map; valid after `start()`). */
  get runtimeDir(): string {
    return this.#rt.runtimeDir ?? "";
  }

  /** Whether the ready barrier has been released. */
  get ready(): boolean {
    return this.#rt.barrierReleased;
  }

  /**
   * Checks every node, creates the socket and log folder, and spawns the local
   * nodes. Throws {@linkcode SpawnError} (naming the node) before anything
   * starts when a node cannot be started.
   */
  start(): Promise<void> {
    return start(this.#rt);
  }

  /**
   * Starts the stop ladder: STOP to every node, then after the grace period
   * SIGTERM, then SIGKILL (after half the grace period, at least 0.5 s).
   * `force` kills every node at once (the second Ctrl-C); other calls while
   * the ladder runs change nothing.
   */
  stop(
    options: {
      graceMs?: number;
      force?: boolean;
      reason?: string;
      /** The span of whoever asked (a coordinator's `stop_dataflow`). */
      trace?: SpanContext;
    } = {},
  ): void {
    stop(this.#rt, options);
  }

  /**
   * Delivers a message that a node on another machine sent (the cross-machine
   * entry point). Routed to the local receivers of `from/output`.
   */
  injectRemote(msg: RemoteMessage): void {
    route(
      this.#rt,
      msg.from,
      msg.output,
      msg.metadata,
      msg.data,
      undefined,
      msg.payload,
      false,
    );
  }

  /**
   * Subscribes to the messages of `node/output` at run time (for `topic
   * echo/hz`, recorders). The subscription never slows the dataflow: its
   * queue holds `queueSize` copies (default 64) and drops the oldest when the
   * subscriber is slower (`tap.lost` counts them); payloads are copied up to
   * `maxBytes` (default 4096, `Infinity` for whole payloads). Without any
   * subscription an output costs nothing extra. Throws {@linkcode RouteError}
   * for an unknown node or output.
   *
   * @example
   * ```ts
   * const tap = runtime.subscribe("camera", "image", { maxBytes: 64 });
   * for await (const m of tap) console.log(m.metadata.ts, m.size);
   * tap.close();
   * ```
   */
  subscribe(node: string, output: string, options?: TapOptions): Tap {
    return subscribe(this.#rt, node, output, options);
  }

  /**
   * Delivers a message on `node/output` as if the node had sent it (for
   * `topic pub`): to every receiver of the output (through the runtime; a
   * full backpressure input drops and counts it rather than wait), to the
   * subscribers and to other machines. Returns how many local receivers
   * got it. Throws {@linkcode RouteError} for an unknown node or output.
   */
  inject(node: string, output: string, message: InjectedMessage): number {
    return inject(this.#rt, node, output, message);
  }

  /**
   * Adds a route at run time (a new input of the receiver gets `settings`);
   * it is direct when both nodes can link. Throws {@linkcode RouteError}
   * when the route does not fit (unknown node or output, an input that
   * already reads another source).
   */
  addRoute(route: RouteSpec, settings?: NewInputSettings): void {
    addRoute(this.#rt, route, settings);
  }

  /**
   * Removes a route at run time: the receiver's input gets INPUT_CLOSED
   * after the messages sent on it before. Throws {@linkcode RouteError} when
   * there is no such route.
   */
  removeRoute(route: RouteSpec): void {
    removeRoute(this.#rt, route);
  }

  /** Every local route, and whether it is direct (a link between the nodes). */
  routeTable(): RouteInfo[] {
    return routeTable(this.#rt);
  }

  /** Closes outputs of a node on another machine (it exited or closed them). */
  closeRemoteOutputs(from: string, outputs: string[]): void {
    const node = this.#rt.nodes.get(from);
    if (node) { for (const o of outputs) closeOutput(this.#rt, node, o); }
  }

  /**
   * A node on another machine is gone for good (its daemon was lost): the
   * local receivers of its open outputs get NODE_FAILED with `error`, then
   * INPUT_CLOSED.
   */
  remoteNodeLost(from: string, error: string): void {
    // Nothing waits for its credits any more.
    this.#rt.credits.receiverLost(from);
    wakeSenders(this.#rt);
    remoteNodeLost(this.#rt, from, error);
  }

  /**
   * The runtime of another machine granted `n` credits for `input` of its
   * node `receiver` (see delivery/remote_credits.ts).
   */
  creditRemote(receiver: string, input: string, n: number): void {
    if (this.#rt.credits.granted(receiver, input, n)) wakeSenders(this.#rt);
  }

  /**
   * Messages or credits to other machines may have been lost (the
   * transport lost its link and got it back): every credit window starts
   * over, so no sender waits for credits that will never come.
   */
  resetRemoteCredits(): void {
    if (this.#rt.credits.reset()) wakeSenders(this.#rt);
  }

  /**
   * Releases the ready barrier when `externalBarrier` is set (a coordinator
   * decided every machine is ready).
   */
  releaseBarrier(): void {
    releaseBarrier(this.#rt);
  }

  /**
   * The current runtime parameters of local node `node`. Throws
   * {@linkcode RuntimeChangeError} for an unknown node.
   */
  params(node: string): NodeParams {
    return paramsOf(this.#rt, node);
  }

  /**
   * Sets a runtime parameter of local node `node`: a connected node gets
   * `param_update` (returns true), one that connects later gets it in
   * `hello_ok`. Throws {@linkcode RuntimeChangeError} (unknown node, key or
   * value over its limit).
   */
  setParam(node: string, key: string, value: ParamValue): boolean {
    return setParam(this.#rt, node, key, value);
  }

  /** Deletes a runtime parameter (`param_deleted`); false when there was none. */
  deleteParam(node: string, key: string): boolean {
    return deleteParam(this.#rt, node, key);
  }

  /** Makes a local node's parameters equal to `params`, telling it what differs. */
  syncParams(node: string, params: NodeParams): void {
    syncParams(this.#rt, node, params);
  }

  /**
   * `dora node restart`: the node's stop ladder (STOP, SIGTERM after
   * `graceMs`, SIGKILL), then a new process at once, counted as a restart;
   * its receivers get NODE_RESTARTED and its outputs stay open. Throws
   * {@linkcode RuntimeChangeError} when the node is not running here.
   */
  restartNode(node: string, graceMs?: number): void {
    restartNode(this.#rt, node, graceMs);
  }

  /**
   * `dora node stop`: the node's stop ladder; it is not restarted, its
   * receivers get INPUT_CLOSED, the rest of the dataflow runs on.
   */
  stopNode(node: string, graceMs?: number): void {
    stopNode(this.#rt, node, graceMs);
  }

  /**
   * Checks that the graph change to `next` can be made here: the local
   * nodes it brings or redefines can be started (see `graph_change.ts`).
   * Throws {@linkcode SpawnError} naming the node otherwise; changes nothing.
   * `localNodes`: the nodes of `next` that run here (default: all).
   */
  checkGraph(next: Dataflow, localNodes?: string[]): void {
    checkGraph(this.#rt, next, isLocalIn(localNodes));
  }

  /**
   * Makes the running graph equal to `next` (checked like `dora validate`):
   * nodes join (spawned, with their routes, timers and logs), leave (their
   * stop ladder), are swapped for a process of their new definition
   * (started and connected before the old one stops), and inputs are
   * connected or disconnected. Returns what changed; a new process that
   * cannot start or connect fails it before anything changed.
   */
  async applyGraph(
    next: Dataflow,
    localNodes?: string[],
    options?: GraphChangeOptions,
  ): Promise<GraphChangeSummary> {
    const isLocal = isLocalIn(localNodes);
    checkGraph(this.#rt, next, isLocal);
    await startReplacements(this.#rt, next, isLocal);
    try {
      return applyGraph(this.#rt, next, isLocal, options);
    } finally {
      // Successors the change did not commit (it failed) go.
      for (const n of this.#rt.nodes.values()) {
        if (n.successor && !n.successor.committed) dropSuccessor(n);
      }
    }
  }

  /** A snapshot of the run so far (final once `finished` resolved). */
  summary(): RunSummary {
    return buildSummary(this.#rt);
  }

  /** @internal ConnectionHandler */
  onHello(conn: NodeConnection, hello: HelloHeader): string | null {
    return onHello(this.#rt, conn, hello);
  }

  /** @internal ConnectionHandler */
  onFrame(
    conn: NodeConnection,
    h: NodeToDaemon,
    payload: Uint8Array | null,
    text?: string,
    bytes?: Uint8Array | null,
  ): void | Promise<void> {
    return onFrame(this.#rt, conn, h, payload, text, bytes ?? null);
  }

  /** @internal ConnectionHandler */
  onClose(conn: NodeConnection, error?: Error): void {
    onClose(this.#rt, conn, error);
  }

  /** @internal ConnectionHandler: the frames of one read are handled. */
  onIdle(): void {
    deliverPending(this.#rt);
  }
}

export { SpawnError };
export type { NodeSpec };
