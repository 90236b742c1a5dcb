/**
 * The coordinator's state machine: daemons, dataflows, and the store. The
 * WebSocket server (`server.ts`) feeds it; `cli_api.ts` maps CLI methods.
 *
 * The operations live beside it: daemon hello and re-adoption
 * (`_daemon_hello.ts`), daemon events (`_daemon_events.ts`), heartbeats and
 * lost daemons (`_liveness.ts`), the ready and finished barriers
 * (`_settle.ts`), starting (`_start.ts`) and ending dataflows (`_stop.ts`).
 *
 * @module
 */
import type {
  DaemonHello,
  DaemonWelcome,
} from "../control/coordinator_daemon.ts";
import { decodeJson } from "../control/json.ts";
import type { Peer } from "../control/peer.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type { FaultSummary } from "../fault/counters.ts";
import type { CoordinatorStore, DataflowRecord } from "../store/types.ts";
import { isTerminal } from "../store/types.ts";
import { DaemonRegistry } from "./daemons.ts";
import type { DataflowOutcome, LiveDataflow } from "./live.ts";
import { onDaemonEvent, onFaultReport } from "./_daemon_events.ts";
import { daemonHello } from "./_daemon_hello.ts";
import { onDaemonClose, tick } from "./_liveness.ts";
import { startDataflow, type StartExtras } from "./_start.ts";
import { destroyAll, stopDataflow, waitDataflow } from "./_stop.ts";
import { type SpanContext, Tracer } from "../inspect/mod.ts";
import type { RelayedTap } from "./_taps.ts";

/** Coordinator settings. */
export interface CoordinatorConfig {
  interface: string;
  port: number;
  store: CoordinatorStore;
  /** How often heartbeats are sent (ms). */
  heartbeatMs: number;
  /** A daemon silent this long is marked lost (ms). */
  daemonTimeoutMs: number;
  log: (message: string) => void;
}

/** How a CLI names a dataflow: uuid, uuid prefix, or name. */
export type DataflowRef = string;

/** The coordinator's state and operations. */
export class Coordinator {
  readonly config: CoordinatorConfig;
  readonly daemons = new DaemonRegistry();
  readonly live = new Map<string, LiveDataflow>();
  readonly followers = new Map<string, Set<Peer>>();
  readonly startedAt = Date.now();
  /** Build id → the CLI link that receives its `build_log` events. */
  readonly builds = new Map<string, Peer>();
  /** Dataflow uuid → the last change queued for it (see `_changes.ts`). */
  readonly changeQueues = new Map<string, Promise<unknown>>();
  /** Spans of the coordinator's work (`dora trace`). */
  readonly tracer = new Tracer("dora_coordinator");
  /** Message taps relayed from daemons to CLIs, by subscription id. */
  readonly taps = new Map<string, RelayedTap>();
  #ticker: ReturnType<typeof setInterval>;
  /** Called when `destroy` finished; the server shuts down. */
  onShutdown: () => void = () => {};

  constructor(config: CoordinatorConfig) {
    this.config = config;
    // Nothing survives a coordinator restart unless a daemon re-adopts it.
    for (const r of config.store.listDataflows()) {
      if (!isTerminal(r.status)) {
        r.status = "failed";
        r.error = "coordinator restarted; not re-adopted by a daemon";
        r.updatedAt = Date.now();
        config.store.putDataflow(r);
      }
    }
    this.#ticker = setInterval(() => tick(this), config.heartbeatMs);
  }

  /** Stops timers and closes the store. */
  close(): void {
    clearInterval(this.#ticker);
    this.config.store.close();
  }

  // ---- daemon links -------------------------------------------------------

  /** Handles a daemon's `hello`: version check, registration, re-adoption. */
  daemonHello(
    peer: Peer,
    params: DaemonHello & { version: string; role?: string; pid?: number },
  ): DaemonWelcome {
    return daemonHello(this, peer, params);
  }

  /** Handles an event pushed by a daemon. */
  onDaemonEvent(peer: Peer, event: string, payload: unknown): void {
    onDaemonEvent(this, peer, event, payload);
  }

  /**
   * Fault counters a daemon reported for the dataflows it runs (by uuid):
   * kept per daemon and stored with the record when they changed.
   */
  onFaultReport(daemonId: string, byUuid: Record<string, FaultSummary>): void {
    onFaultReport(this, daemonId, byUuid);
  }

  /** A daemon's link closed. */
  onDaemonClose(peer: Peer): void {
    onDaemonClose(this, peer);
  }

  // ---- dataflows ------------------------------------------------------------

  /** Finds a dataflow by uuid, unique uuid prefix, or name (running first). */
  resolve(ref: DataflowRef): DataflowRecord {
    const all = this.config.store.listDataflows();
    const exact = all.find((r) => r.uuid === ref);
    if (exact) return exact;
    const byName = all.filter((r) => r.name === ref);
    const running = byName.filter((r) => !isTerminal(r.status));
    if (running.length) return running[running.length - 1];
    if (byName.length) return byName[byName.length - 1];
    const prefix = all.filter((r) => r.uuid.startsWith(ref));
    if (prefix.length === 1) return prefix[0];
    if (prefix.length > 1) {
      throw new Error(
        `"${ref}" matches ${prefix.length} dataflows; give more of the uuid`,
      );
    }
    throw new Error(
      `no dataflow with uuid or name "${ref}" (see \`dora list\`)`,
    );
  }

  /**
   * Places, records and spawns a dataflow; resolves once every daemon
   * spawned it. `extra.source`: its flat YAML; `extra.params`: the runtime
   * parameters to start with (default: the descriptor's `params:`);
   * `extra.trace`: the span it belongs to.
   */
  start(
    descriptor: Dataflow,
    name: string | undefined,
    env: Record<string, string>,
    extra: StartExtras = {},
  ): Promise<DataflowRecord> {
    return startDataflow(this, descriptor, name, env, extra);
  }

  /** Asks every daemon of `uuid` to stop it and resolves with the outcome. */
  stop(
    uuid: string,
    opts: { graceMs?: number; force?: boolean; trace?: SpanContext },
  ): Promise<DataflowOutcome> {
    return stopDataflow(this, uuid, opts);
  }

  /** Waits for a dataflow to end (immediately if it already has). */
  wait(uuid: string): Promise<DataflowOutcome> {
    return waitDataflow(this, uuid);
  }

  /** The descriptor stored for a dataflow. */
  descriptorOf(record: DataflowRecord): Dataflow {
    return decodeJson(record.descriptor) as Dataflow;
  }

  /** Stops every dataflow, then every daemon; resolves when they are gone. */
  destroy(force: boolean): Promise<{ pids: number[] }> {
    return destroyAll(this, force);
  }
}
