/**
 * The daemon role: registers with the coordinator, keeps the link alive
 * (heartbeats, reconnect with backoff, re-adoption of running dataflows),
 * and runs dataflows through the runtime of `src/daemon`. Listeners (data
 * transport, dynamic-node socket) are bound once per process, never per
 * reconnect.
 *
 * @module
 */
import { CliError } from "../cli/errors.ts";
import { connectCoordinator } from "../control/client.ts";
import type {
  AdoptReport,
  DaemonHeartbeat,
  DaemonWelcome,
  DataAddress,
  DataflowMetrics,
  SpawnParams,
  StopParams,
} from "../control/daemon_api.ts";
import type { Peer } from "../control/peer.ts";
import type { CoordinatorTarget } from "../control/target.ts";
import { formatTarget } from "../control/target.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { filterRecords, readRunLogs } from "../logs/reader.ts";
import { fromWireQuery } from "../control/log_query.ts";
import type { NodeResult } from "../store/types.ts";
import { type FaultSummary, formatFaultSummary } from "../fault/counters.ts";
import type { DataTransport, InterDaemonMessage } from "../transport/types.ts";
import { runBuild } from "./build.ts";
import type { HostedDataflow, LaunchDataflow } from "./host.ts";
import { LogTailer } from "./tail.ts";
import { ProcSampler } from "./metrics.ts";

/** Finished dataflows a daemon remembers (to serve their logs). */
const KEEP_FINISHED = 200;

/** Settings of a daemon. */
export interface AgentOptions {
  machineId?: string;
  labels: Record<string, string>;
  target: CoordinatorTarget;
  /** Address the data transport listens on (and advertises). */
  interface: string;
  transport: DataTransport;
  launch: LaunchDataflow;
  log: (message: string) => void;
}

interface Entry {
  hosted: HostedDataflow;
  params: SpawnParams;
  results?: Record<string, NodeResult>;
  /** The coordinator has been told it finished. */
  reported: boolean;
  ready: boolean;
  released: boolean;
  startedAt: number;
}

/** A daemon process's long-lived state. */
export class DaemonAgent {
  readonly opts: AgentOptions;
  readonly dataflows = new Map<string, Entry>();
  dataAddr!: DataAddress;
  daemonId: string;
  #peer?: Peer;
  #stopped = false;
  #sampler = new ProcSampler();
  #tailers = new Map<string, LogTailer>();
  #peers = new Map<string, Map<string, DataAddress>>();
  /** Resolves when the daemon was told to exit (`destroy`). */
  readonly exited: Promise<void>;
  #exit: () => void;

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.daemonId = opts.machineId ?? "default";
    const { promise, resolve } = Promise.withResolvers<void>();
    this.exited = promise;
    this.#exit = resolve;
  }

  /** Binds the data listener once, then keeps a coordinator link up. */
  async start(): Promise<void> {
    // Sample CPU in the background so `dora list` shows a rate at once.
    const sampler = setInterval(() => {
      for (const e of this.dataflows.values()) {
        if (!e.results) this.#sampler.sample(e.hosted.pids());
      }
    }, 2000);
    Deno.unrefTimer(sampler);
    this.dataAddr = await this.opts.transport.listen(
      this.opts.interface,
      0,
      (msg, payload) => this.#onRemote(msg, payload),
    );
    this.#connectLoop();
  }

  /** Messages from peer daemons go to the dataflow they belong to. */
  #onRemote(msg: InterDaemonMessage, payload: Uint8Array | null): void {
    this.dataflows.get(msg.df)?.hosted.deliver(msg, payload);
  }

  async #connectLoop(): Promise<void> {
    let delay = 200;
    let warned = false;
    while (!this.#stopped) {
      try {
        const { peer, hello } = await connectCoordinator(this.opts.target, {
          role: "daemon",
          hello: {
            machineId: this.opts.machineId,
            labels: this.opts.labels,
            dataAddr: this.dataAddr,
            dataflows: this.#reports(),
            pid: Deno.pid,
          },
          onRequest: (m, p) => this.#onRequest(m, p),
          onEvent: (e, p) => this.#onEvent(e, p),
        });
        const welcome = hello as unknown as DaemonWelcome;
        this.daemonId = welcome.daemonId;
        this.#peer = peer;
        for (const e of this.dataflows.values()) {
          if (e.results) e.reported = true; // sent in the hello
        }
        this.opts.log(
          `registered with the coordinator at ${
            formatTarget(this.opts.target)
          } as '${this.daemonId}'`,
        );
        delay = 200;
        warned = false;
        await this.#keepAlive(peer, welcome.heartbeatMs);
        this.#peer = undefined;
        // Log subscriptions belonged to that link; a new coordinator asks again.
        for (const t of this.#tailers.values()) t.stop();
        this.#tailers.clear();
        if (!this.#stopped) {
          this.opts.log("lost the coordinator link; reconnecting");
        }
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg.startsWith("version mismatch")) {
          this.opts.log(msg);
          this.#stopped = true;
          this.#exit();
          throw new CliError(msg);
        }
        if (!warned) {
          this.opts.log(`${msg}; retrying`);
          warned = true;
        }
      }
      if (this.#stopped) break;
      const jitter = delay * (0.75 + Math.random() * 0.5);
      await new Promise((r) => setTimeout(r, jitter));
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** Heartbeats until the link closes or the coordinator goes silent. */
  async #keepAlive(peer: Peer, heartbeatMs: number): Promise<void> {
    this.#lastHeard = Date.now();
    const silence = Math.max(20_000, heartbeatMs * 5);
    const timer = setInterval(() => {
      peer.notify("heartbeat", this.#heartbeat());
      if (Date.now() - this.#lastHeard > silence) {
        this.opts.log(
          `no heartbeat from the coordinator for ${silence / 1000}s`,
        );
        peer.close(1000, "coordinator silent");
      }
    }, heartbeatMs);
    await peer.closed;
    clearInterval(timer);
  }
  #lastHeard = 0;
  #earlyRelease = new Set<string>();

  /** Heartbeat payload: the fault counters of running dataflows. */
  #heartbeat(): DaemonHeartbeat {
    const fault: Record<string, FaultSummary> = {};
    for (const [uuid, e] of this.dataflows) {
      if (e.results) continue;
      const f = e.hosted.faultSummary();
      if (f) fault[uuid] = f;
    }
    return Object.keys(fault).length ? { fault } : {};
  }

  #reports(): AdoptReport[] {
    return [...this.dataflows.values()].filter((e) => !e.reported).map((e) => ({
      uuid: e.params.uuid,
      name: e.params.name,
      descriptor: e.params.descriptor,
      env: e.params.env,
      nodeToDaemon: e.params.nodeToDaemon,
      state: e.results ? "finished" : "running",
      results: e.results,
      fault: e.hosted.faultSummary(),
      ready: e.ready,
      released: e.released,
      startedAt: e.startedAt,
    }));
  }

  #onEvent(event: string, payload: unknown): void {
    this.#lastHeard = Date.now();
    const p = payload as Record<string, unknown>;
    if (event === "release") {
      const e = this.dataflows.get(p.uuid as string);
      if (!e) this.#earlyRelease.add(p.uuid as string); // still launching
      else if (!e.released) {
        e.released = true;
        e.hosted.release();
      }
    }
  }

  async #onRequest(method: string, params: unknown): Promise<unknown> {
    this.#lastHeard = Date.now();
    const p = params as Record<string, unknown>;
    switch (method) {
      case "spawn":
        return await this.#spawn(params as SpawnParams);
      case "stop": {
        const s = params as StopParams;
        const e = this.dataflows.get(s.uuid);
        if (!e) {
          throw new Error(`dataflow ${s.uuid} is not running on this daemon`);
        }
        e.hosted.stop({ graceMs: s.graceMs, force: s.force });
        return {};
      }
      case "logs": {
        const e = this.dataflows.get(p.uuid as string);
        if (!e) {
          throw new Error(
            `daemon '${this.daemonId}' has no logs of dataflow ${p.uuid} (it was restarted since)`,
          );
        }
        const lines = await readRunLogs(e.hosted.logDir, p.nodes as string[]);
        // Filter here so only what the CLI shows crosses the network.
        return {
          lines: p.query ? filterRecords(lines, fromWireQuery(p.query)) : lines,
        };
      }
      case "logs_follow":
        this.#follow(p.uuid as string, Boolean(p.on));
        return {};
      case "metrics": {
        const out: Record<string, DataflowMetrics> = {};
        for (const uuid of p.uuids as string[]) {
          const e = this.dataflows.get(uuid);
          if (!e || e.results) continue;
          const pids = e.hosted.pids();
          const fault = e.hosted.faultSummary();
          out[uuid] = {
            ...this.#sampler.sample(pids),
            pids,
            ...(fault ? { fault } : {}),
          };
        }
        return out;
      }
      case "build": {
        const descriptor = p.descriptor as Dataflow;
        const results = await runBuild(
          descriptor,
          p.nodes as string[],
          (node, line) =>
            this.#peer?.notify("build_log", { buildId: p.buildId, node, line }),
        );
        return { results };
      }
      case "destroy":
        await this.shutdown(Boolean(p.force));
        return {};
      default:
        throw new Error(`unknown method '${method}'`);
    }
  }

  async #spawn(params: SpawnParams): Promise<unknown> {
    if (this.dataflows.has(params.uuid)) return {}; // idempotent
    const peers = new Map(Object.entries(params.peers));
    let readyEarly = false;
    this.#peers.set(params.uuid, peers);
    const hosted = await this.opts.launch(
      { ...params, descriptor: params.descriptor as Dataflow },
      {
        daemonId: this.daemonId,
        peers: params.peers,
        onReady: () => {
          const e = this.dataflows.get(params.uuid);
          if (e) e.ready = true;
          else readyEarly = true;
          this.#peer?.notify("dataflow_ready", { uuid: params.uuid });
        },
        sendRemote: (daemonId, msg, payload) => {
          const addr = peers.get(daemonId);
          if (addr) this.opts.transport.send(addr, msg, payload);
        },
      },
    );
    const multi = new Set(Object.values(params.nodeToDaemon)).size > 1;
    const entry: Entry = {
      hosted,
      params,
      reported: false,
      startedAt: Date.now(),
      ready: readyEarly,
      // A single-daemon dataflow releases its barrier by itself.
      released: !multi,
    };
    this.dataflows.set(params.uuid, entry);
    if (this.#earlyRelease.delete(params.uuid) && !entry.released) {
      entry.released = true;
      hosted.release();
    }
    hosted.finished.then(async (results) => {
      const tailer = this.#tailers.get(params.uuid);
      await tailer?.flush();
      tailer?.stop();
      this.#tailers.delete(params.uuid);
      entry.results = results;
      const fault = hosted.faultSummary();
      if (this.#peer && !this.#peer.isClosed) {
        this.#peer.notify("dataflow_finished", {
          uuid: params.uuid,
          results,
          fault,
        });
        entry.reported = true;
      }
      this.opts.log(`dataflow ${params.uuid} finished`);
      // What fault tolerance did, in the daemon's log (nothing when all went well).
      const lines = fault ? formatFaultSummary(fault) : [];
      for (const line of lines) {
        this.opts.log(`dataflow ${params.uuid} ${line.trim()}`);
      }
      this.#prune();
    });
    this.opts.log(`spawned dataflow ${params.uuid}`);
    return { pids: hosted.pids() };
  }

  /** Keeps at most {@link KEEP_FINISHED} finished dataflows (for `logs`). */
  #prune(): void {
    const done = [...this.dataflows.values()].filter((e) =>
      e.results && e.reported
    );
    for (const e of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) {
      this.dataflows.delete(e.params.uuid);
    }
  }

  #follow(uuid: string, on: boolean): void {
    const existing = this.#tailers.get(uuid);
    if (!on) {
      existing?.stop();
      this.#tailers.delete(uuid);
      return;
    }
    const e = this.dataflows.get(uuid);
    if (existing || !e || e.results) return;
    const nodes = Object.entries(e.params.nodeToDaemon)
      .filter(([, d]) => d === this.daemonId).map(([n]) => n);
    const tailer = new LogTailer(
      e.hosted.logDir,
      nodes,
      (record) => this.#peer?.notify("log", { uuid, record }),
    );
    this.#tailers.set(uuid, tailer);
  }

  /** `DORA_NODE_CONFIG` for a dynamic node, from the newest dataflow declaring it. */
  dynamicConfig(nodeId: string, df?: string): Record<string, unknown> {
    const candidates = [...this.dataflows.values()].filter((e) =>
      !e.results && (df === undefined || e.params.uuid === df)
    ).map((e) => e.hosted.dynamicConfig(nodeId)).filter((c) => c !== undefined);
    if (candidates.length === 0) {
      throw new Error(
        `no running dataflow on daemon '${this.daemonId}' declares a dynamic node '${nodeId}'`,
      );
    }
    return candidates[candidates.length - 1]!;
  }

  /** Stops every dataflow (stop ladder or force) and ends the daemon. */
  async shutdown(force: boolean): Promise<void> {
    this.#stopped = true;
    const running = [...this.dataflows.values()].filter((e) => !e.results);
    for (const e of running) e.hosted.stop({ force });
    await Promise.allSettled(running.map((e) => e.hosted.finished));
    for (const t of this.#tailers.values()) t.stop();
    this.#exit();
  }

  /** Closes the coordinator link and listeners (after {@link shutdown}). */
  close(): void {
    this.#stopped = true;
    this.#peer?.close(1000, "daemon exiting");
    this.opts.transport.close();
  }
}
