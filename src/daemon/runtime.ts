/**
 * `DataflowRuntime`: runs one dataflow's local nodes — spawn and supervise,
 * route messages through per-input queues, timers after the ready barrier,
 * logs, and the stop ladder. `dora run` is the CLI plus one of these; a daemon
 * runs one per dataflow and connects the remote hooks.
 *
 * @module
 */
import { v7 as uuidv7 } from "uuid";
import type { Dataflow, NodeSpec } from "../descriptor/model.ts";
import {
  type DataLayout,
  type HelloHeader,
  HybridLogicalClock,
  type NodeToDaemon,
  PROTOCOL_VERSION,
  type WireMetadata,
} from "../message/mod.ts";
import {
  LogFileWriter,
  type LogRecord,
  parseNodeLine,
  passesLevel,
} from "../logs/mod.ts";
import { DORA_VERSION } from "../cli/version.ts";
import { sourceRoot } from "../cli/dora_command.ts";
import { type ConnectionHandler, NodeConnection } from "./connection.ts";
import { NodeProcess } from "./node_process.ts";
import type { NodeExitStatus } from "./node_process.ts";
import { ReceiverQueue } from "./receiver_queue.ts";
import { RunningNode } from "./running_node.ts";
import {
  createRuntimeDir,
  removeRuntimeDir,
  shmPrefixMatches,
  sweepStale,
  unlinkShm,
} from "./runtime_dir.ts";
import { ShmTracker } from "./shm_tracker.ts";
import { planSpawn, SpawnError } from "./spawn_command.ts";
import type { NodeSummary, RunSummary } from "./summary.ts";
import { exitText } from "./summary.ts";
import { TimerHub } from "./timers.ts";
import { RoutingTable } from "./routing.ts";
import { forwardTail, inputHead } from "./forward.ts";
import { InlineCopier } from "./shm_inline.ts";
import {
  findSetpriv,
  importMap,
  nodeConfig,
  textMessage,
} from "./node_config.ts";
import { FaultHooks } from "./fault_hooks.ts";
import type {
  RemoteMessage,
  RestartDecision,
  RuntimeOptions,
} from "./runtime_types.ts";

export type * from "./runtime_types.ts";

const DEFAULT_GRACE_MS = 10_000;
const BATCH_END = '{"t":"batch_end"}';
/** Frames of a blocked sender held before its socket is no longer read. */
const HOLD_LIMIT = 64;

/** A local receiver of one output, resolved once (the hot path's routing). */
interface Route {
  node: RunningNode;
  input: string;
  /** `{"t":"input","id":<input>,` (see forward.ts). */
  head: string;
}

/** The local receivers of one output, and whether other machines have some. */
type Routes = Route[] & { remote: boolean };

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
export class DataflowRuntime implements ConnectionHandler {
  /** The dataflow's UUID. */
  readonly id: string;
  readonly dataflow: Dataflow;
  /** `<workingDir>/out/<id>`: the node log files. */
  readonly logDir: string;
  /** Resolves with the summary once every local node has exited. */
  readonly finished: Promise<RunSummary>;

  #opts: RuntimeOptions;
  #nodes = new Map<string, RunningNode>();
  #routing: RoutingTable;
  #timers: TimerHub;
  #clock = new HybridLogicalClock();
  /** Largest `ts` received and not yet applied to `#clock` (see `#hlc`). */
  #seenTs?: string;
  #shm: ShmTracker;
  #listener?: Deno.Listener;
  #runtimeDir?: string;
  #socketPath = "";
  #state: "created" | "starting" | "running" | "stopping" | "finished" =
    "created";
  #barrierReleased = false;
  #stopCount = 0;
  #ladderTimers: ReturnType<typeof setTimeout>[] = [];
  /** Senders with held frames (backpressure). */
  #blocked = new Set<RunningNode>();
  #waking = false;
  /** A forced stop (second Ctrl-C) killed the nodes. */
  #forced = false;
  #wakeAgain = false;
  #startedAt = new Date();
  #error?: string;
  #stopReason?: string;
  #resolveFinished!: (s: RunSummary) => void;
  #fault?: FaultHooks;
  /** Receivers to answer at the end of this tick (see `#deliverSoon`). */
  #toDeliver = new Set<RunningNode>();
  /** Copies shared-memory payloads for receivers that cannot map them. */
  #inline = new InlineCopier();
  /** Resolved routes per `node` then `output`. */
  #routes = new Map<string, Map<string, Routes>>();

  constructor(options: RuntimeOptions) {
    this.#opts = options;
    this.dataflow = options.dataflow;
    this.id = options.dataflowId ?? uuidv7();
    this.logDir = `${
      options.outDir ?? `${this.dataflow.workingDir}/out`
    }/${this.id}`;
    this.finished = new Promise((r) => (this.#resolveFinished = r));
    this.#timers = new TimerHub((i) => this.#tick(i));
    this.#shm = new ShmTracker((owner, tokens) =>
      this.#sendRelease(owner, tokens)
    );
    const local = options.localNodes ? new Set(options.localNodes) : undefined;
    for (const spec of this.dataflow.nodes) {
      const node = new RunningNode(spec, local ? local.has(spec.id) : true);
      node.queue = new ReceiverQueue(spec.inputs, {
        onDrop: (input, msg, total) =>
          this.#onDrop(node, input, msg.token, msg.from, total),
      });
      this.#nodes.set(spec.id, node);
    }
    this.#routing = new RoutingTable(
      this.dataflow,
      (id) => this.#nodes.get(id)!.local,
    );
    for (const interval of this.#routing.timers.keys()) {
      this.#timers.add(interval);
    }
    if (options.faultTolerance !== false && !options.decideRestart) {
      this.#fault = new FaultHooks(this.dataflow, {
        nodes: this.#nodes,
        deliver: (n) => this.#deliver(n),
        failStart: (m) => this.#failStart(m),
        message: (l, t) => this.#message(l, t),
        logDir: this.logDir,
      });
    }
  }

  /** Fault-tolerance counters (restarts, timeouts, …), when enabled. */
  faultSummary(): ReturnType<FaultHooks["summary"]> | undefined {
    return this.#fault?.summary();
  }

  /**
   * The `DORA_NODE_CONFIG` object of a `path: dynamic` node of this runtime
   * (for a node started by hand), or `undefined` when there is none.
   */
  dynamicNodeConfig(nodeId: string): Record<string, unknown> | undefined {
    const n = this.#nodes.get(nodeId);
    if (!n || !n.local || !n.dynamic || this.#state === "finished") {
      return undefined;
    }
    // No parent watchdog and no FFI assumption: data through the socket.
    return nodeConfig(n.spec, {
      dataflowId: this.id,
      socket: this.#socketPath,
      restarts: 0,
      shm: false,
      parentPid: null,
    });
  }

  /** The daemon socket path (valid after `start()`). */
  get socketPath(): string {
    return this.#socketPath;
  }

  /** Whether the ready barrier has been released. */
  get ready(): boolean {
    return this.#barrierReleased;
  }

  /**
   * Checks every node, creates the socket and log folder, and spawns the local
   * nodes. Throws {@linkcode SpawnError} (naming the node) before anything
   * starts when a node cannot be started.
   */
  async start(): Promise<void> {
    if (this.#state !== "created") throw new Error("runtime already started");
    this.#state = "starting";
    const allowShell = this.#opts.allowShellNodes ??
      ["1", "true", "yes"].includes(
        (Deno.env.get("DORA_ALLOW_SHELL_NODES") ?? "").toLowerCase(),
      );
    const root = sourceRoot();
    for (const removed of sweepStale()) {
      this.#message("debug", `removed stale ${removed}`);
    }
    this.#runtimeDir = createRuntimeDir(this.id);
    this.#socketPath = `${this.#runtimeDir}/daemon.sock`;
    const importMapPath = `${this.#runtimeDir}/import_map.json`;
    try {
      const ctx = {
        workingDir: this.dataflow.workingDir,
        socketPath: this.#socketPath,
        importMapPath,
        apiDirs: [`${root}/nodes/api/ts`, `${root}/src/message`],
        pythonPath: `${root}/nodes/api/python`,
        allowShell,
        setpriv: findSetpriv(),
        python: new Map(),
      };
      for (const node of this.#nodes.values()) {
        if (!node.local || node.dynamic) continue;
        node.plan = planSpawn(node.spec, ctx);
        for (const w of node.plan.warnings) this.#message("warn", w);
      }
    } catch (err) {
      this.#cleanupDirs();
      this.#state = "finished";
      throw err;
    }
    try {
      await Deno.writeTextFile(importMapPath, importMap(root));
      this.#listener = Deno.listen({
        transport: "unix",
        path: this.#socketPath,
      });
      this.#acceptLoop(this.#listener);
      try {
        Deno.mkdirSync(this.logDir, { recursive: true });
        for (const node of this.#nodes.values()) {
          if (!node.local) continue;
          node.log = new LogFileWriter(this.logDir, node.spec.id, {
            maxSize: node.spec.maxLogSize,
            maxRotated: node.spec.maxRotatedFiles,
          });
        }
      } catch (err) {
        throw new SpawnError(
          `cannot write the node logs to ${this.logDir}: ${
            err instanceof Error ? err.message : String(err)
          }`,
        );
      }
    } catch (err) {
      try {
        this.#listener?.close();
      } catch {
        // not open
      }
      for (const n of this.#nodes.values()) n.log?.close();
      this.#cleanupDirs();
      this.#state = "finished";
      throw err;
    }
    this.#state = "running";
    for (const node of this.#nodes.values()) {
      if (node.local && !node.dynamic && this.#state === "running") {
        this.#spawn(node);
      }
    }
    if (this.#state === "running") this.#fault?.start();
    if (![...this.#nodes.values()].some((n) => n.local)) this.#maybeFinish();
  }

  /**
   * Starts the stop ladder: STOP to every node, then after the grace period
   * SIGTERM, then SIGKILL (after half the grace period, at least 0.5 s).
   * `force` kills every node at once (the second Ctrl-C); other calls while
   * the ladder runs change nothing.
   */
  stop(
    options: { graceMs?: number; force?: boolean; reason?: string } = {},
  ): void {
    if (this.#state === "finished" || this.#state === "created") return;
    this.#stopReason ??= options.reason ?? "manual";
    if (options.force) {
      this.#message("warn", "force-killing every node");
      this.#forced = true;
      this.#signalAll("SIGKILL");
      return;
    }
    if (this.#stopCount++ > 0) return;
    this.#state = "stopping";
    this.#fault?.stopBegun();
    this.#timers.stop();
    if (!this.#barrierReleased) this.#releaseBarrier();
    for (const node of this.#nodes.values()) {
      if (!node.alive) continue;
      node.queue.pushStop();
      this.#deliver(node);
    }
    const grace = options.graceMs ?? this.#opts.graceMs ?? DEFAULT_GRACE_MS;
    this.#ladderTimers.push(
      setTimeout(() => {
        this.#signalAll("SIGTERM");
        this.#ladderTimers.push(
          setTimeout(
            () => this.#signalAll("SIGKILL"),
            Math.max(500, grace / 2),
          ),
        );
      }, grace),
    );
  }

  /**
   * Delivers a message that a node on another machine sent (the cross-machine
   * entry point). Routed to the local receivers of `from/output`.
   */
  injectRemote(msg: RemoteMessage): void {
    this.#route(
      msg.from,
      msg.output,
      msg.metadata,
      msg.data,
      undefined,
      msg.payload,
      false,
    );
  }

  /** Closes outputs of a node on another machine (it exited or closed them). */
  closeRemoteOutputs(from: string, outputs: string[]): void {
    const node = this.#nodes.get(from);
    if (node) { for (const o of outputs) this.#closeOutput(node, o); }
  }

  /**
   * Releases the ready barrier when `externalBarrier` is set (a coordinator
   * decided every machine is ready).
   */
  releaseBarrier(): void {
    this.#releaseBarrier();
  }

  /** A snapshot of the run so far (final once `finished` resolved). */
  summary(): RunSummary {
    const nodes: NodeSummary[] = [];
    for (const n of this.#nodes.values()) {
      if (!n.local) continue;
      nodes.push({
        id: n.spec.id,
        outcome: n.outcome,
        exitCode: n.exitStatus?.code ?? null,
        signal: n.exitStatus?.signal ?? null,
        message: n.message,
        stderrTail: n.stderrTail,
        drops: n.queue.drops(),
        undelivered: n.undelivered,
        restarts: n.restarts,
        sent: n.sent,
        viaShm: n.viaShm,
        received: n.received,
      });
    }
    const failed = nodes.some((n) =>
      n.outcome === "failed" || n.outcome === "not_started"
    );
    return {
      dataflowId: this.id,
      path: this.dataflow.path,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: this.#state === "finished"
        ? new Date().toISOString()
        : undefined,
      success: !failed && this.#error === undefined,
      error: this.#error,
      stopReason: this.#stopReason,
      nodes,
      fault: this.#fault?.summary(),
    };
  }

  // ---------------------------------------------------------------- setup

  #spawn(node: RunningNode): void {
    const proc = new NodeProcess(node.spec.id, {
      onLine: (stream, line) => this.#onLine(node, stream, line),
      onExit: (status) => this.#onExit(node, proc, status),
    });
    try {
      proc.start(node.plan!, {
        DORA_NODE_CONFIG: JSON.stringify(nodeConfig(node.spec, {
          dataflowId: this.id,
          socket: this.#socketPath,
          restarts: node.restarts,
          shm: node.plan?.shm ?? false,
        })),
        DORA_RUN_PARENT_PID: String(Deno.pid),
      });
    } catch (err) {
      node.exited = true;
      node.outcome = "not_started";
      node.message = `node \`${node.spec.id}\` could not be started: ${
        err instanceof Error ? err.message : String(err)
      }`;
      this.#failStart(node.message);
      this.#afterExit(node);
      return;
    }
    node.process = proc;
    node.exited = false;
    node.helloSeen = false;
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        new NodeConnection(conn).serve(this).catch((err) =>
          this.#message("error", `internal error on a node connection: ${err}`)
        );
      }
    } catch {
      // listener closed at the end of the run
    }
  }

  // ---------------------------------------------------------------- protocol

  /** @internal ConnectionHandler */
  onHello(conn: NodeConnection, hello: HelloHeader): string | null {
    if (hello.v !== PROTOCOL_VERSION) {
      return `protocol version mismatch: node speaks ${hello.v}, daemon speaks ${PROTOCOL_VERSION} (${
        hello.v > PROTOCOL_VERSION
          ? "upgrade dora"
          : "upgrade the dora node API"
      })`;
    }
    if (hello.df !== this.id) {
      return `node \`${hello.node}\` belongs to dataflow ${hello.df}, not ${this.id}`;
    }
    const node = this.#nodes.get(hello.node);
    if (!node || !node.local) {
      return `unknown node \`${hello.node}\` in dataflow ${this.id}`;
    }
    if (node.connected) return `node \`${hello.node}\` is already connected`;
    if (node.exited) return `node \`${hello.node}\` has already exited`;
    node.conn = conn;
    node.connected = true;
    node.helloSeen = true;
    // Spawned with FFI (or Python/executables), and the node did not say it
    // cannot map regions; dynamic nodes always get data inline.
    node.shm = (node.plan?.shm ?? false) && hello.shm !== false;
    conn.nodeId = node.spec.id;
    conn.send({ t: "hello_ok", v: PROTOCOL_VERSION, daemon: DORA_VERSION });
    this.#fault?.connected(node.spec.id);
    if (this.#barrierReleased) this.#sendReady(node);
    else this.#checkBarrier();
    return null;
  }

  /** @internal ConnectionHandler */
  onFrame(
    conn: NodeConnection,
    h: NodeToDaemon,
    payload: Uint8Array | null,
    text = "",
  ): void | Promise<void> {
    const node = this.#nodes.get(conn.nodeId!)!;
    if (node.conn !== conn) return;
    this.#fault?.activity(node.spec.id);
    node.framesIn++;
    // A blocked sender's outputs wait in order; its `next` and `release`
    // still go through, so it keeps receiving (no deadlock in loops).
    const ordered = h.t !== "next" && h.t !== "release" && h.t !== "shm_new";
    if (
      ordered &&
      (node.held.length > 0 ||
        (h.t === "output" && this.#senderBlocked(node)))
    ) {
      node.held.push({ header: h, payload, text });
      this.#blocked.add(node);
      if (node.held.length < HOLD_LIMIT) return;
      // Enough held: stop reading its socket until there is room.
      return new Promise<void>((resolve) => node.heldWaiters.push(resolve));
    }
    this.#handleFrame(node, h, payload, text);
  }

  #handleFrame(
    node: RunningNode,
    h: NodeToDaemon,
    payload: Uint8Array | null,
    text: string,
  ): void {
    switch (h.t) {
      case "next":
        node.pendingNext = Math.max(1, h.max ?? 1000);
        this.#deliver(node);
        return;
      case "output": {
        if (!node.spec.outputs.includes(h.o)) {
          node.queue.pushControl({
            t: "error",
            message:
              `output \`${h.o}\` is not declared in the outputs of node \`${node.spec.id}\` (declared: ${
                node.spec.outputs.join(", ") || "none"
              })`,
          });
          this.#deliver(node);
          if (h.shm) this.#sendRelease(node.spec.id, [h.shm.token]);
          return;
        }
        if (!node.openOutputs.has(h.o)) {
          if (h.shm) this.#sendRelease(node.spec.id, [h.shm.token]);
          return;
        }
        node.sent++;
        if (h.shm) node.viaShm++;
        this.#route(
          node.spec.id,
          h.o,
          h.m,
          h.d,
          h.shm,
          payload,
          true,
          true,
          forwardTail(text, h),
        );
        return;
      }
      case "close_outputs":
        for (const o of h.o) this.#closeOutput(node, o);
        return;
      case "release": {
        const known = h.tokens.filter((t) => node.heldTokens.take(t));
        this.#shm.release(node.spec.id, known);
        return;
      }
      case "shm_new":
        node.shmRegions.add(h.name);
        return;
      case "hello":
        node.queue.pushControl({ t: "error", message: "duplicate hello" });
        this.#deliver(node);
        return;
    }
  }

  /** @internal ConnectionHandler */
  onClose(conn: NodeConnection, error?: Error): void {
    const node = conn.nodeId ? this.#nodes.get(conn.nodeId) : undefined;
    if (error) {
      this.#message(
        "error",
        `${
          node ? `node \`${node.spec.id}\`` : "a node"
        } was disconnected: ${error.message}`,
      );
    }
    if (!node || node.conn !== conn) return;
    node.connected = false;
    node.conn = undefined;
    node.pendingNext = undefined;
    // Tokens delivered over this connection will never be released by it.
    this.#shm.release(node.spec.id, node.heldTokens.drain());
    // A node without its connection can't send any more; outputs fed by its
    // stdout/logs stay open until the process exits (the pipes may lag).
    const { sendStdoutAs, sendLogsAs } = node.spec;
    const closeNow = () => {
      for (const o of [...node.openOutputs]) {
        if (o !== sendStdoutAs && o !== sendLogsAs) this.#closeOutput(node, o);
      }
    };
    // Held outputs still go out first.
    const close = () => {
      if (node.held.length > 0) node.afterHeld = closeNow;
      else closeNow();
    };
    // With fault tolerance, a crash's restart decision comes first.
    if (this.#fault) this.#fault.connectionClosed(node, close);
    else close();
  }

  #sendReady(node: RunningNode): void {
    if (node.readySent || !node.conn) return;
    node.readySent = true;
    node.conn.send({ t: "ready" });
    if (node.spec.inputs.length === 0) node.queue.armAllClosed();
    this.#deliver(node);
  }

  #checkBarrier(): void {
    if (this.#barrierReleased) return;
    for (const n of this.#nodes.values()) {
      // Dynamic nodes join whenever they are started: they never gate it.
      if (n.local && !n.dynamic && !n.helloSeen && !n.exited) return;
    }
    if (this.#opts.externalBarrier) {
      this.#opts.events?.onLocalReady?.();
      return;
    }
    this.#releaseBarrier();
  }

  #releaseBarrier(): void {
    if (this.#barrierReleased) return;
    this.#barrierReleased = true;
    for (const n of this.#nodes.values()) if (n.conn) this.#sendReady(n);
    if (this.#state === "running") this.#timers.start();
    this.#opts.events?.onReady?.();
  }

  /**
   * Delivers at the end of this tick: the frames of one socket read are
   * routed in one go, so a waiting receiver gets them as one batch (one
   * write, one wake-up) instead of one batch per message.
   */
  #deliverSoon(node: RunningNode): void {
    if (node.pendingNext === undefined || this.#toDeliver.has(node)) return;
    this.#toDeliver.add(node);
    if (this.#toDeliver.size > 1) return;
    // Connections flush at the end of their burst (`onIdle`); this covers
    // routing from anywhere else (logs, other machines).
    queueMicrotask(() => this.#deliverPending());
  }

  #deliverPending(): void {
    if (this.#toDeliver.size === 0) return;
    const nodes = [...this.#toDeliver];
    this.#toDeliver.clear();
    for (const n of nodes) this.#deliver(n);
  }

  /** @internal ConnectionHandler: the frames of one read are handled. */
  onIdle(): void {
    this.#deliverPending();
  }

  /** Answers an outstanding `next` with as many queued events as allowed. */
  #deliver(node: RunningNode): void {
    if (
      node.exited || !node.conn || node.pendingNext === undefined ||
      !node.queue.hasEvents
    ) {
      return;
    }
    const events = node.queue.take(node.pendingNext);
    node.pendingNext = undefined;
    const conn = node.conn;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.header.t === "input") {
        node.received++;
        if (e.token) node.heldTokens.add(e.token);
      }
      if (e.raw !== undefined) conn.sendJson(e.raw, e.payload);
      else conn.send(e.header, e.payload);
    }
    conn.sendJson(BATCH_END);
    // The answer goes out now, not after the rest of this tick's work.
    conn.kick();
    if (this.#blocked.size > 0) this.#wakeSenders();
  }

  // ---------------------------------------------------------------- routing

  #route(
    from: string,
    output: string,
    m: WireMetadata,
    d: unknown,
    shm: { name: string; size: number; token: string } | undefined,
    payload: Uint8Array | null,
    forwardRemote: boolean,
    /** The producer can be paused (a node's socket), so it may exceed caps. */
    pausable = true,
    /** The received header's text after `o` (see forward.ts), if reusable. */
    tail?: string,
  ): void {
    // Applied to the clock later (`#hlc`), off the forwarding path.
    // (Decimal strings without leading zeros: longer is larger.)
    const ts = m.ts;
    const seen = this.#seenTs;
    if (
      typeof ts === "string" && /^[1-9]\d*$/.test(ts) &&
      (seen === undefined || ts.length > seen.length ||
        (ts.length === seen.length && ts > seen))
    ) this.#seenTs = ts;
    const routes = this.#routesOf(from, output);
    /** The region's bytes for receivers without shared memory (copied once). */
    let inline: { payload: Uint8Array | null } | { error: string } | undefined;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      const rn = r.node;
      if (!rn.alive) continue;
      if (this.#fault && !this.#fault.admit(rn.spec.id, r.input)) continue;
      if (shm && !rn.shm) {
        inline ??= this.#copyInline(shm, d as DataLayout | undefined);
        if ("error" in inline) {
          rn.queue.pushControl({
            t: "error",
            message:
              `input \`${r.input}\` from \`${from}/${output}\`: ${inline.error}`,
          });
          this.#deliver(rn);
          continue;
        }
        const header: Record<string, unknown> = { t: "input", id: r.input, m };
        if (d !== undefined) header.d = d;
        const msg = { header, payload: inline.payload, from };
        if (pausable) rn.queue.pushInput(r.input, msg);
        else rn.queue.offerInput(r.input, msg);
        this.#deliverSoon(rn);
        continue;
      }
      const header: Record<string, unknown> = { t: "input", id: r.input, m };
      if (d !== undefined) header.d = d;
      if (shm) {
        header.shm = shm;
        this.#shm.hold(shm.token, from, rn.spec.id);
      }
      const msg = {
        header,
        payload,
        from,
        token: shm?.token,
        raw: tail === undefined ? undefined : r.head + tail,
      };
      if (pausable) rn.queue.pushInput(r.input, msg);
      else rn.queue.offerInput(r.input, msg);
      this.#deliverSoon(rn);
    }
    if (forwardRemote && routes.remote) {
      this.#opts.onRemoteOutput?.({
        from,
        output,
        metadata: m,
        data: d,
        payload,
        shm,
      });
    }
    if (shm) this.#shm.releaseUnheld(shm.token, from);
  }

  /** The clock, with every timestamp received so far applied. */
  get #hlc(): HybridLogicalClock {
    const seen = this.#seenTs;
    if (seen !== undefined) {
      this.#seenTs = undefined;
      try {
        this.#clock.update(BigInt(seen));
      } catch {
        // a bad ts is the sender's problem; the message still went through
      }
    }
    return this.#clock;
  }

  /** Copies a region's payload (see shm_inline.ts); errors name the region. */
  #copyInline(
    shm: { name: string; size: number; token: string },
    d: DataLayout | undefined,
  ): { payload: Uint8Array | null } | { error: string } {
    try {
      return { payload: this.#inline.copy(shm, d) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  #closeOutput(node: RunningNode, output: string): void {
    if (!node.openOutputs.delete(output)) return;
    for (const r of this.#routing.receivers(node.spec.id, output)) {
      const rn = this.#nodes.get(r.node)!;
      if (!rn.alive) continue;
      rn.queue.closeInput(r.input);
      this.#deliver(rn);
    }
    if (node.local && this.#routing.hasRemote(node.spec.id, output)) {
      this.#opts.onRemoteOutputsClosed?.(node.spec.id, [output]);
    }
  }

  #tick(intervalNs: bigint): void {
    const m = { ts: this.#hlc.now().toString(), p: {} };
    for (const r of this.#routing.timers.get(intervalNs) ?? []) {
      const rn = this.#nodes.get(r.node)!;
      // A full backpressure timer input skips the tick, like a late timer.
      if (!rn.alive || rn.queue.isFull(r.input)) continue;
      rn.queue.pushInput(r.input, {
        header: { t: "input", id: r.input, m },
        payload: null,
        from: "dora",
      });
      this.#deliver(rn);
    }
  }

  #onDrop(
    node: RunningNode,
    input: string,
    token: string | undefined,
    from: string,
    total: number,
  ): void {
    if (token) this.#shm.release(node.spec.id, [token]);
    if (!node.dropWarned.has(input)) {
      node.dropWarned.add(input);
      const spec = node.spec.inputs.find((i) => i.id === input);
      this.#message(
        "warn",
        `node \`${node.spec.id}\` is dropping messages on input \`${input}\` (queue_size ${spec?.queueSize}, drop_oldest): it is slower than \`${from}\`; counts are in the summary`,
      );
    }
    this.#opts.events?.onDrop?.(node.spec.id, input, total);
  }

  #senderBlocked(sender: RunningNode): boolean {
    for (const o of sender.openOutputs) {
      const routes = this.#routesOf(sender.spec.id, o);
      for (let i = 0; i < routes.length; i++) {
        const r = routes[i];
        if (r.node.alive && r.node.queue.isFull(r.input)) return true;
      }
    }
    return false;
  }

  /** The local receivers of `from/output`, resolved once. */
  #routesOf(from: string, output: string): Routes {
    let byOutput = this.#routes.get(from);
    if (!byOutput) this.#routes.set(from, byOutput = new Map());
    let routes = byOutput.get(output);
    if (!routes) {
      routes = Object.assign(
        this.#routing.receivers(from, output).map((r) => ({
          node: this.#nodes.get(r.node)!,
          input: r.input,
          head: inputHead(r.input),
        })),
        { remote: this.#routing.hasRemote(from, output) },
      );
      byOutput.set(output, routes);
    }
    return routes;
  }

  /** Lets blocked senders go on as far as their receivers have room. */
  #wakeSenders(): void {
    if (this.#waking) {
      this.#wakeAgain = true;
      return;
    }
    this.#waking = true;
    try {
      do {
        this.#wakeAgain = false;
        for (const n of [...this.#blocked]) this.#drainHeld(n);
      } while (this.#wakeAgain);
    } finally {
      this.#waking = false;
    }
  }

  #drainHeld(node: RunningNode): void {
    while (node.held.length > 0) {
      const f = node.held[0]!;
      if (
        f.header.t === "output" && this.#state !== "finished" &&
        this.#senderBlocked(node)
      ) break;
      node.held.shift();
      this.#handleFrame(node, f.header, f.payload, f.text);
    }
    if (node.held.length < HOLD_LIMIT) {
      for (const w of node.heldWaiters.splice(0)) w();
    }
    if (node.held.length === 0) {
      this.#blocked.delete(node);
      const after = node.afterHeld;
      node.afterHeld = undefined;
      after?.();
    }
  }

  #sendRelease(owner: string, tokens: string[]): void {
    const node = this.#nodes.get(owner);
    if (node?.conn) node.conn.send({ t: "release", tokens });
  }

  // ---------------------------------------------------------------- logs

  #onLine(node: RunningNode, stream: "stdout" | "stderr", line: string): void {
    const spec = node.spec;
    if (stream === "stdout" && spec.sendStdoutAs) {
      this.#sendText(node, spec.sendStdoutAs, line);
    }
    const record = parseNodeLine(line, spec.id, stream);
    if (spec.minLogLevel && !passesLevel(record.level, spec.minLogLevel)) {
      return;
    }
    if (this.#routing.logs.length > 0) this.#broadcastLog(record);
    if (spec.sendLogsAs) {
      this.#sendText(node, spec.sendLogsAs, JSON.stringify(record));
    }
    node.log?.write(record);
    this.#opts.events?.onLog?.(record);
  }

  #sendText(node: RunningNode, output: string, text: string): void {
    if (!node.openOutputs.has(output)) return;
    const { m, d, payload } = textMessage(text, this.#hlc);
    this.#route(node.spec.id, output, m, d, undefined, payload, true, false);
  }

  #broadcastLog(record: LogRecord): void {
    let msg: ReturnType<typeof textMessage> | undefined;
    for (const sub of this.#routing.logs) {
      if (sub.node === record.node || (sub.from && sub.from !== record.node)) {
        continue;
      }
      if (sub.level && !passesLevel(record.level, sub.level as never)) continue;
      const rn = this.#nodes.get(sub.node)!;
      if (!rn.alive) continue;
      msg ??= textMessage(JSON.stringify(record), this.#hlc);
      rn.queue.offerInput(sub.input, {
        header: { t: "input", id: sub.input, m: msg.m, d: msg.d },
        payload: msg.payload,
        from: "dora",
      });
      this.#deliver(rn);
    }
  }

  #message(level: "error" | "warn" | "info" | "debug", text: string): void {
    this.#opts.events?.onMessage?.(level, text);
  }

  // ---------------------------------------------------------------- exits

  /** The single exit-handling point: outcome, restart decision, cleanup. */
  async #onExit(
    node: RunningNode,
    proc: NodeProcess,
    status: NodeExitStatus,
  ): Promise<void> {
    if (node.process !== proc) return;
    node.exitStatus = status;
    node.stderrTail = proc.stderrTail;
    const beforeReady = !node.helloSeen && !this.#barrierReleased;
    const decide = this.#opts.decideRestart ??
      this.#fault?.decide.bind(this.#fault);
    let decision: RestartDecision = { restart: false };
    if (this.#state === "running" && !beforeReady && decide) {
      try {
        decision = await decide({
          node: node.spec,
          status,
          restarts: node.restarts,
        });
      } catch (err) {
        // A broken policy must not take the runtime down: no restart.
        this.#message(
          "error",
          `restart decision for node \`${node.spec.id}\` failed: ${
            err instanceof Error ? err.message : String(err)
          }`,
        );
      }
    }
    if (decision.restart && this.#state === "running") {
      node.restarts++;
      // Detach the old connection first: its close must not close outputs.
      const old = node.conn;
      node.conn = undefined;
      old?.close();
      node.connected = false;
      node.readySent = false;
      node.pendingNext = undefined;
      this.#shm.release(node.spec.id, node.heldTokens.drain());
      // With fault tolerance the supervisor already said why and when.
      if (!this.#fault) {
        this.#message(
          "warn",
          `node \`${node.spec.id}\` ${
            exitText(status)
          }; restarting (#${node.restarts})`,
        );
      }
      // The fault supervisor announces restarts itself.
      for (const r of this.#fault ? [] : this.#downstream(node)) {
        this.#nodes.get(r)!.queue.pushControl({
          t: "node_restarted",
          id: node.spec.id,
        });
        this.#deliver(this.#nodes.get(r)!);
      }
      const t = setTimeout(() => {
        this.#ladderTimers.splice(this.#ladderTimers.indexOf(t), 1);
        if (this.#state === "running") this.#spawn(node);
        else this.#finishNode(node, proc, status, beforeReady);
      }, decision.delayMs ?? 0);
      this.#ladderTimers.push(t);
      return;
    }
    this.#finishNode(node, proc, status, beforeReady);
  }

  #finishNode(
    node: RunningNode,
    proc: NodeProcess,
    status: NodeExitStatus,
    beforeReady: boolean,
  ): void {
    node.exited = true;
    // Exiting before connecting fails the start, whatever the exit code.
    const startFailure = beforeReady && this.#state === "running";
    if (status.success && !startFailure) node.outcome = "finished";
    else if (this.#error !== undefined && !startFailure) {
      // A casualty of the failed start (it was refused or stopped).
      node.outcome = "stopped";
      node.message =
        `node \`${node.spec.id}\` was stopped because the dataflow start failed (${
          exitText(status)
        })`;
    } else if (node.signaledByLadder) {
      node.outcome = "stopped";
      node.message = this.#forced
        ? `node \`${node.spec.id}\` was killed by a forced stop`
        : `node \`${node.spec.id}\` did not stop within the grace period and was ${
          status.signal === "SIGKILL" ? "killed" : "terminated"
        } by the stop ladder`;
    } else {
      node.outcome = beforeReady ? "not_started" : "failed";
      const v = proc.violation;
      const what = beforeReady
        ? `exited before connecting to the daemon (${exitText(status)})`
        : `failed: ${exitText(status)}`;
      node.message = `node \`${node.spec.id}\` ${what}` +
        (v
          ? `: Deno denied ${v.permission} access${
            v.target ? ` to ${v.target}` : ""
          } (add \`permissions: { ${v.permission}: [...] }\` or \`${v.permission}: true\` to the node in the dataflow)`
          : "");
      if (beforeReady && this.#state === "running") {
        this.#failStart(node.message);
      }
    }
    this.#afterExit(node);
  }

  #afterExit(node: RunningNode): void {
    // Outputs fed by the process's stdout/logs end with it.
    for (const o of [node.spec.sendStdoutAs, node.spec.sendLogsAs]) {
      if (o) this.#closeOutput(node, o);
    }
    const conn = node.conn;
    if (conn && !conn.closed) {
      // Frames written just before the exit may still be unread (or held
      // back by backpressure): the outputs close at EOF, losing nothing.
      node.pendingNext = undefined;
      this.#watchDrain(node, conn);
    } else {
      const closeAll = () => {
        for (const o of [...node.openOutputs]) this.#closeOutput(node, o);
      };
      // Outputs held back by backpressure still go out first.
      if (node.held.length > 0) node.afterHeld = closeAll;
      else closeAll();
    }
    const left = node.queue.clear();
    node.undelivered += left.filter((m) => m.from !== "dora").length;
    this.#shm.dropReceiver(node.spec.id);
    this.#wakeSenders();
    this.#opts.events?.onNodeExit?.({
      node: node.spec.id,
      outcome: node.outcome,
      status: node.exitStatus,
      message: node.message,
      stderrTail: node.stderrTail,
    });
    if (node.outcome === "failed") this.#message("error", node.message!);
    this.#fault?.exited(node);
    this.#closeLogInputsIfDone();
    this.#checkBarrier();
    this.#maybeFinish();
  }

  /** `dora/logs` inputs close once every node that only produces logs is gone. */
  #closeLogInputsIfDone(): void {
    if (this.#routing.logs.length === 0) return;
    const subscribers = new Set(this.#routing.logs.map((s) => s.node));
    for (const n of this.#nodes.values()) {
      if (n.alive && !subscribers.has(n.spec.id)) return;
    }
    for (const sub of this.#routing.logs) {
      const rn = this.#nodes.get(sub.node)!;
      if (!rn.alive) continue;
      rn.queue.closeInput(sub.input);
      this.#deliver(rn);
    }
  }

  /**
   * The connection of an exited node ends at EOF; one whose socket leaked
   * to another process never does, so it is closed once it goes idle.
   */
  #watchDrain(node: RunningNode, conn: NodeConnection): void {
    let seen = -1;
    const check = () => {
      if (conn.closed) return;
      if (node.framesIn === seen && !this.#senderBlocked(node)) conn.close();
      else {
        seen = node.framesIn;
        this.#ladderTimers.push(setTimeout(check, 1000));
      }
    };
    check();
  }

  #downstream(node: RunningNode): string[] {
    return this.#routing.downstream(node.spec.id, node.openOutputs);
  }

  /** A node could not start: the whole start fails and the rest is stopped. */
  #failStart(message: string): void {
    this.#error ??= `dataflow start failed: ${message}`;
    this.#stopReason ??= "start-failed";
    for (const n of this.#nodes.values()) {
      if (n.alive && n.conn && !this.#barrierReleased) {
        n.conn.send({ t: "error", message: this.#error });
        n.conn.close();
      }
    }
    this.stop({ reason: "start-failed" });
  }

  #signalAll(signal: Deno.Signal): void {
    for (const n of this.#nodes.values()) {
      if (!n.alive || !n.process) continue;
      n.signaledByLadder = true;
      n.process.kill(signal);
    }
  }

  #maybeFinish(): void {
    if (this.#state === "finished") return;
    // The dataflow ends when every spawned node exited (dynamic ones get Stop).
    for (const n of this.#nodes.values()) if (n.alive && !n.dynamic) return;
    if (this.#state === "starting") return;
    this.#state = "finished";
    this.#stopReason ??= "finished";
    this.#timers.stop();
    this.#fault?.finish();
    for (const n of this.#nodes.values()) {
      n.conn?.close();
      // Closed only now: a node's child may still write after it exited.
      n.log?.close();
    }
    for (const t of this.#ladderTimers) clearTimeout(t);
    this.#wakeSenders();
    try {
      this.#listener?.close();
    } catch {
      // already closed
    }
    const regions = new Set<string>();
    for (const n of this.#nodes.values()) {
      for (const r of n.shmRegions) regions.add(r);
    }
    unlinkShm(regions);
    this.#inline.close();
    this.#cleanupDirs();
    const summary = this.summary();
    try {
      Deno.writeTextFileSync(
        `${this.logDir}/summary.json`,
        JSON.stringify(summary, null, 2) + "\n",
      );
    } catch {
      // no log folder (the start failed before it was made)
    }
    this.#opts.events?.onFinish?.(summary);
    this.#resolveFinished(summary);
  }

  #cleanupDirs(): void {
    if (this.#runtimeDir) removeRuntimeDir(this.#runtimeDir);
    // Regions of this dataflow the nodes did not register (crash mid-create).
    try {
      for (const e of Deno.readDirSync("/dev/shm")) {
        const m = /^dora-([0-9a-fA-F]+)-/.exec(e.name);
        if (m && shmPrefixMatches(this.id, m[1]!)) unlinkShm([e.name]);
      }
    } catch {
      // no /dev/shm
    }
  }
}

export { SpawnError };
export type { NodeSpec };
