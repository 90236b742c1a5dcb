/**
 * The daemon role: registers with the coordinator, keeps the link alive
 * (heartbeats, reconnect with backoff, re-adoption of running dataflows),
 * and runs dataflows through the runtime of `src/daemon`. Listeners (data
 * transport, dynamic-node socket) are bound once per process, never per
 * reconnect.
 *
 * The parts live beside it: spawning (`_spawn.ts`), the coordinator's
 * requests (`_requests.ts`), log following (`_log_follow.ts`), hello and
 * heartbeat reports (`_reports.ts`) and the shared state (`_state.ts`).
 *
 * @module
 */
import { connectCoordinator } from "../control/connect.ts";
import { VersionMismatchError } from "../control/protocol.ts";
import { errorMessage } from "../errors.ts";
import type {
  DaemonWelcome,
  DataAddress,
} from "../control/coordinator_daemon.ts";
import type { Peer } from "../control/peer.ts";
import { formatTarget } from "../control/target.ts";
import type { InterDaemonMessage } from "../transport/types.ts";
import {
  METRICS_INTERVAL_MS,
  NodeMetrics,
  TapHub,
  Tracer,
} from "../inspect/mod.ts";
import { sampleAll } from "./_inspect.ts";
import { stopFollowing } from "./_log_follow.ts";
import { adoptReports, heartbeatPayload } from "./_reports.ts";
import { handleRequest } from "./_requests.ts";
import type { AgentOptions, AgentState, Entry } from "./_state.ts";

export type { AgentOptions } from "./_state.ts";

/** A daemon process's long-lived state. */
export class DaemonAgent {
  readonly opts: AgentOptions;
  readonly dataflows = new Map<string, Entry>();
  dataAddr!: DataAddress;
  #s: AgentState;
  #stopped = false;
  #lastHeard = 0;
  /** Resolves when the daemon was told to exit (`destroy`). */
  readonly exited: Promise<void>;
  #exit: () => void;

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.#s = {
      opts,
      dataflows: this.dataflows,
      daemonId: opts.machineId ?? "default",
      metrics: new NodeMetrics(),
      tracer: new Tracer("dora_daemon"),
      hub: new TapHub(),
      tailers: new Map(),
      peers: new Map(),
      earlyRelease: new Set(),
    };
    const { promise, resolve } = Promise.withResolvers<void>();
    this.exited = promise;
    this.#exit = resolve;
  }

  /** This daemon's id (the coordinator's answer once registered). */
  get daemonId(): string {
    return this.#s.daemonId;
  }

  /** Binds the data listener once, then keeps a coordinator link up. */
  async start(): Promise<void> {
    // Sample in the background so `dora list` and `top` show rates at once.
    const sampler = setInterval(() => sampleAll(this.#s), METRICS_INTERVAL_MS);
    Deno.unrefTimer(sampler);
    this.dataAddr = await this.opts.transport.listen(
      this.opts.interface,
      this.opts.dataPort ?? 0,
      (msg, payload) => this.#onRemote(msg, payload),
    );
    this.#connectLoop();
  }

  /** Messages from peer daemons go to the dataflow they belong to. */
  #onRemote(msg: InterDaemonMessage, payload: Uint8Array | null): void {
    this.dataflows.get(msg.df)?.hosted.deliver(msg, payload);
  }

  /** The exit code for the CLI: 1 after giving up on the coordinator. */
  exitCode = 0;
  #giveUp?: ReturnType<typeof setTimeout>;

  /**
   * The coordinator link was lost: unless it comes back within the
   * coordinator timeout, stop every dataflow and exit (nodes nobody can
   * stop must not run forever).
   */
  #armGiveUp(): void {
    const ms = this.opts.coordinatorTimeoutMs ?? 0;
    if (ms <= 0 || this.#giveUp !== undefined || this.#stopped) return;
    this.#giveUp = setTimeout(async () => {
      const running = [...this.dataflows.values()].filter((e) => !e.results);
      this.exitCode = 1;
      this.opts.log(
        `no coordinator for ${
          formatMs(ms)
        } (--coordinator-timeout): stopped ${running.length} dataflow(s); exiting`,
      );
      await this.shutdown(false);
    }, ms);
  }

  async #connectLoop(): Promise<void> {
    let delay = 200;
    let warned = false;
    while (!this.#stopped) {
      try {
        const { peer, hello } = await connectCoordinator(this.opts.target, {
          role: "daemon",
          token: this.opts.token,
          hello: {
            machineId: this.opts.machineId,
            labels: this.opts.labels,
            dataAddr: this.dataAddr,
            dataflows: adoptReports(this.dataflows),
            pid: Deno.pid,
          },
          onRequest: (m, p) => {
            this.#lastHeard = Date.now();
            return handleRequest(this.#s, m, p, (f) => this.shutdown(f));
          },
          onEvent: (e, p) => this.#onEvent(e, p),
        });
        const welcome = hello as unknown as DaemonWelcome;
        clearTimeout(this.#giveUp);
        this.#giveUp = undefined;
        this.#s.daemonId = welcome.daemonId;
        this.#s.peer = peer;
        for (const e of this.dataflows.values()) {
          if (e.results) e.reported = true; // sent in the hello
        }
        this.opts.log(
          `registered with the coordinator at ${
            formatTarget(this.opts.target)
          } as "${this.daemonId}"`,
        );
        delay = 200;
        warned = false;
        await this.#keepAlive(peer, welcome.heartbeatMs);
        this.#s.peer = undefined;
        // Log subscriptions and taps belonged to that link; a new
        // coordinator asks again.
        stopFollowing(this.#s);
        this.#s.hub.closeAll();
        if (!this.#stopped) {
          this.opts.log("lost the coordinator link; reconnecting");
          this.#armGiveUp();
        }
      } catch (err) {
        const msg = errorMessage(err);
        if (err instanceof VersionMismatchError) {
          this.opts.log(msg);
          this.#stopped = true;
          this.#exit();
          throw err;
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
      peer.notify("heartbeat", heartbeatPayload(this.dataflows));
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

  #onEvent(event: string, payload: unknown): void {
    this.#lastHeard = Date.now();
    const p = payload as Record<string, unknown>;
    if (event === "daemon_lost") {
      // A peer of these dataflows is gone for good: stop sending to it and
      // fail its nodes for the local receivers.
      const lost = p.daemonId as string;
      for (const uuid of p.uuids as string[]) {
        this.#s.peers.get(uuid)?.delete(lost);
        const e = this.dataflows.get(uuid);
        if (e && !e.results) e.hosted.peerLost(lost);
      }
      return;
    }
    if (event === "release") {
      const e = this.dataflows.get(p.uuid as string);
      if (!e) this.#s.earlyRelease.add(p.uuid as string); // still launching
      else if (!e.released) {
        e.released = true;
        e.hosted.release();
      }
    }
  }

  /** `DORA_NODE_CONFIG` for a dynamic node, from the newest dataflow declaring it. */
  dynamicConfig(nodeId: string, df?: string): Record<string, unknown> {
    const candidates = [...this.dataflows.values()].filter((e) =>
      !e.results && (df === undefined || e.params.uuid === df)
    ).map((e) => e.hosted.dynamicConfig(nodeId)).filter((c) => c !== undefined);
    if (candidates.length === 0) {
      throw new Error(
        `no running dataflow on daemon "${this.daemonId}" declares a dynamic node "${nodeId}"`,
      );
    }
    return candidates[candidates.length - 1]!;
  }

  /** Stops every dataflow (stop ladder or force) and ends the daemon. */
  async shutdown(force: boolean): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#giveUp);
    const running = [...this.dataflows.values()].filter((e) => !e.results);
    for (const e of running) e.hosted.stop({ force });
    await Promise.allSettled(running.map((e) => e.hosted.finished));
    for (const t of this.#s.tailers.values()) t.stop();
    this.#exit();
  }

  /** Closes the coordinator link and listeners (after {@link shutdown}). */
  close(): void {
    this.#stopped = true;
    this.#s.peer?.close(1000, "daemon exiting");
    this.opts.transport.close();
  }
}

/** `90s`, `5m`, `1500ms`: a duration as the options spell it. */
function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
