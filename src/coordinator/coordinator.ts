/**
 * The coordinator's state machine: daemons, dataflows, and the store. The
 * WebSocket server (`server.ts`) feeds it; `cli_api.ts` maps CLI methods.
 *
 * @module
 */
import { v7 as uuidV7 } from "uuid";
import { DORA_VERSION } from "../cli/version.ts";
import type {
  AdoptReport,
  DaemonHello,
  DaemonWelcome,
  SpawnParams,
} from "../control/daemon_api.ts";
import { decodeJson, encodeJson } from "../control/json.ts";
import type { Peer } from "../control/peer.ts";
import { versionMismatch } from "../control/protocol.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import type {
  CoordinatorStore,
  DataflowRecord,
  NodeResult,
} from "../store/types.ts";
import { isTerminal } from "../store/types.ts";
import { DaemonRegistry } from "./daemons.ts";
import { type DataflowOutcome, LiveDataflow } from "./live.ts";
import { placeNodes } from "./placement.ts";
import { faultChanged, mergeFault } from "./fault.ts";
import { type FaultSummary, formatFaultSummary } from "../fault/counters.ts";
import { errorMessage, withTimeout } from "./util.ts";

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
  #ticker: ReturnType<typeof setInterval>;
  /** Called when `destroy` finished; the server shuts down. */
  onShutdown: () => void = () => {};

  constructor(config: CoordinatorConfig) {
    this.config = config;
    for (const r of config.store.listDataflows()) {
      if (!isTerminal(r.status)) {
        r.status = "failed";
        r.error = "coordinator restarted; not re-adopted by a daemon";
        r.updatedAt = Date.now();
        config.store.putDataflow(r);
      }
    }
    this.#ticker = setInterval(() => this.#tick(), config.heartbeatMs);
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
    const mismatch = versionMismatch(
      { role: "the coordinator", version: DORA_VERSION },
      { role: "the daemon", version: params.version },
    );
    if (mismatch) throw new Error(mismatch);
    if (
      params.role !== "daemon" || typeof params.dataAddr?.host !== "string" ||
      typeof params.dataAddr?.port !== "number"
    ) {
      throw new Error(
        "invalid daemon registration: expected role 'daemon' and a dataAddr {host, port}",
      );
    }
    const daemonId = params.machineId ?? "default";
    const now = Date.now();
    // A daemon listening on every interface is reached at the address its
    // control link came from.
    const dataAddr = { ...params.dataAddr };
    if (["0.0.0.0", "::", ""].includes(dataAddr.host)) {
      dataAddr.host = String(peer.data.remoteHost ?? "127.0.0.1");
    }
    this.daemons.register({
      daemonId,
      machineId: params.machineId,
      labels: params.labels ?? {},
      dataAddr,
      peer,
      version: params.version,
      connectedAt: now,
      lastHeartbeat: now,
      state: "connected",
    });
    peer.data.daemonId = daemonId;
    peer.data.pid = params.pid;
    this.config.store.putDaemon({
      daemonId,
      machineId: params.machineId,
      labels: params.labels ?? {},
      lastSeen: now,
    });
    for (const report of params.dataflows ?? []) this.#adopt(daemonId, report);
    this.config.log(`daemon '${daemonId}' registered`);
    return {
      version: DORA_VERSION,
      daemonId,
      heartbeatMs: this.config.heartbeatMs,
    };
  }

  #adopt(daemonId: string, report: AdoptReport): void {
    const now = Date.now();
    let record = this.config.store.getDataflow(report.uuid);
    if (!record) {
      record = {
        uuid: report.uuid,
        name: report.name,
        status: "running",
        descriptor: encodeJson(report.descriptor),
        env: report.env,
        nodeToDaemon: report.nodeToDaemon,
        createdAt: report.startedAt ?? now,
        updatedAt: now,
      };
    }
    let live = this.live.get(report.uuid);
    if (!live) {
      live = new LiveDataflow(report.uuid, Object.values(report.nodeToDaemon));
      this.live.set(report.uuid, live);
    }
    // The ready barrier is latched: a daemon that missed `release` (the old
    // coordinator died in between) gets it now; otherwise release once every
    // daemon is ready again.
    if (report.ready !== false) live.ready.add(daemonId);
    if (report.released !== false) live.released = true;
    if (live.released) {
      if (report.released === false) {
        this.daemons.get(daemonId)?.peer.notify("release", { uuid: live.uuid });
      }
    } else this.#maybeRelease(live);
    if (report.fault) {
      live.fault.set(daemonId, report.fault);
      record.fault = mergeFault(live.fault.values());
    }
    if (report.state === "running") {
      record.status = "running";
      delete record.error;
    } else {
      live.finished.set(daemonId, report.results ?? {});
    }
    record.updatedAt = now;
    this.config.store.putDataflow(record);
    this.config.log(`daemon '${daemonId}' re-adopted dataflow ${report.uuid}`);
    this.#maybeSettle(live);
  }

  /** Handles an event pushed by a daemon. */
  onDaemonEvent(peer: Peer, event: string, payload: unknown): void {
    const daemonId = peer.data.daemonId as string | undefined;
    if (!daemonId) return; // events before hello are ignored
    const entry = this.daemons.get(daemonId);
    if (!entry || entry.peer !== peer) return; // stale link
    entry.lastHeartbeat = Date.now();
    const p = payload as Record<string, unknown>;
    switch (event) {
      case "heartbeat":
        this.onFaultReport(
          daemonId,
          (p?.fault ?? {}) as Record<string, FaultSummary>,
        );
        return;
      case "dataflow_ready": {
        const live = this.live.get(p.uuid as string);
        if (!live) return;
        live.ready.add(daemonId);
        this.#maybeRelease(live);
        return;
      }
      case "dataflow_finished": {
        const live = this.live.get(p.uuid as string);
        if (!live) return;
        if (p.fault) live.fault.set(daemonId, p.fault as FaultSummary);
        live.finished.set(
          daemonId,
          (p.results ?? {}) as Record<string, NodeResult>,
        );
        this.#maybeSettle(live);
        return;
      }
      case "build_log": {
        this.builds.get(p.buildId as string)?.notify("build_log", p);
        return;
      }
      case "log": {
        const set = this.followers.get(p.uuid as string);
        for (const f of set ?? []) f.notify("log", p);
        return;
      }
    }
  }

  /**
   * Fault counters a daemon reported for the dataflows it runs (by uuid):
   * kept per daemon and stored with the record when they changed.
   */
  onFaultReport(daemonId: string, byUuid: Record<string, FaultSummary>): void {
    for (const [uuid, summary] of Object.entries(byUuid)) {
      const live = this.live.get(uuid);
      if (!live || !live.daemons.has(daemonId) || !summary) continue;
      live.fault.set(daemonId, summary);
      const record = this.config.store.getDataflow(uuid);
      if (!record || isTerminal(record.status)) continue;
      const merged = mergeFault(live.fault.values());
      if (!faultChanged(record.fault, merged)) continue;
      record.fault = merged;
      this.config.store.putDataflow(record);
    }
  }

  /** A daemon's link closed. */
  onDaemonClose(peer: Peer): void {
    const daemonId = peer.data.daemonId as string | undefined;
    if (!daemonId) return;
    if (this.daemons.markLost(daemonId, peer, "connection closed")) {
      this.config.log(`daemon '${daemonId}' disconnected`);
      this.#failLaterIfGone(daemonId, peer);
    }
  }

  #failLaterIfGone(daemonId: string, oldPeer: Peer): void {
    setTimeout(() => {
      const now = this.daemons.get(daemonId);
      if (now && now.peer !== oldPeer) return; // it came back
      for (const live of this.live.values()) {
        if (live.daemons.has(daemonId) && !live.finished.has(daemonId)) {
          live.finished.set(daemonId, {
            [`(daemon ${daemonId})`]: {
              ok: false,
              error: `daemon '${daemonId}' lost`,
            },
          });
          this.#maybeSettle(live);
        }
      }
    }, this.config.daemonTimeoutMs);
  }

  #tick(): void {
    const now = Date.now();
    for (const d of this.daemons.connected()) {
      if (now - d.lastHeartbeat > this.config.daemonTimeoutMs) {
        const silent = Math.round((now - d.lastHeartbeat) / 1000);
        if (
          this.daemons.markLost(
            d.daemonId,
            d.peer,
            `no heartbeat for ${silent}s`,
          )
        ) {
          this.config.log(
            `daemon '${d.daemonId}' lost: no heartbeat for ${silent}s`,
          );
          this.#failLaterIfGone(d.daemonId, d.peer);
        }
      } else d.peer.notify("heartbeat", {});
    }
  }

  /** Releases the barrier once every daemon of `live` is ready (latched). */
  #maybeRelease(live: LiveDataflow): void {
    if (live.released || ![...live.daemons].every((d) => live.ready.has(d))) {
      return;
    }
    live.released = true;
    for (const d of live.daemons) {
      this.daemons.get(d)?.peer.notify("release", { uuid: live.uuid });
    }
  }

  #maybeSettle(live: LiveDataflow): void {
    if (live.outcome || !live.allFinished) return;
    const results: Record<string, NodeResult> = {};
    for (const r of live.finished.values()) Object.assign(results, r);
    const failed = Object.entries(results).filter(([, r]) => !r.ok);
    const record = this.config.store.getDataflow(live.uuid);
    const outcome: DataflowOutcome = {
      uuid: live.uuid,
      name: record?.name,
      status: failed.length ? "failed" : "finished",
      error: failed.length
        ? failed.map(([n, r]) => `${n}: ${r.error ?? "failed"}`).join("; ")
        : undefined,
      results,
      fault: mergeFault(live.fault.values()),
    };
    const faultLines = outcome.fault ? formatFaultSummary(outcome.fault) : [];
    if (faultLines.length) {
      this.config.log(
        `dataflow ${live.uuid} ${faultLines[0]} ${
          faultLines.slice(1).map((l) => l.trim()).join("; ")
        }`,
      );
    }
    if (record) {
      record.status = outcome.status;
      record.nodeResults = results;
      if (outcome.fault) record.fault = outcome.fault;
      if (outcome.error) record.error = outcome.error;
      record.updatedAt = Date.now();
      this.config.store.putDataflow(record);
    }
    this.live.delete(live.uuid);
    live.settle(outcome);
    for (const f of this.followers.get(live.uuid) ?? []) {
      f.notify("finished", outcome);
    }
    this.followers.delete(live.uuid);
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
        `'${ref}' matches ${prefix.length} dataflows; give more of the uuid`,
      );
    }
    throw new Error(
      `no dataflow with uuid or name '${ref}' (see \`dora list\`)`,
    );
  }

  /** Places, records and spawns a dataflow; resolves once every daemon spawned it. */
  async start(
    descriptor: Dataflow,
    name: string | undefined,
    env: Record<string, string>,
  ): Promise<DataflowRecord> {
    if (name) {
      const clash = this.config.store.listDataflows().find((r) =>
        r.name === name && !isTerminal(r.status)
      );
      if (clash) {
        throw new Error(
          `a dataflow named '${name}' is already running (${clash.uuid}); stop it first or pick another --name`,
        );
      }
    }
    const connected = this.daemons.connected();
    const nodeToDaemon = placeNodes(descriptor, connected);
    const now = Date.now();
    const record: DataflowRecord = {
      uuid: uuidV7(),
      name,
      status: "pending",
      descriptor: encodeJson(descriptor),
      env,
      nodeToDaemon,
      createdAt: now,
      updatedAt: now,
    };
    this.config.store.putDataflow(record);
    const involved = [...new Set(Object.values(nodeToDaemon))];
    const live = new LiveDataflow(record.uuid, involved);
    this.live.set(record.uuid, live);
    const peers = Object.fromEntries(
      involved.map((id) => [id, this.daemons.get(id)!.dataAddr]),
    );
    const params: SpawnParams = {
      uuid: record.uuid,
      name,
      descriptor,
      env,
      nodeToDaemon,
      peers,
    };
    const results = await Promise.allSettled(
      involved.map((id) =>
        withTimeout(
          this.daemons.get(id)!.peer.call("spawn", params),
          60_000,
          `daemon '${id}' did not answer spawn within 60s`,
        ).catch((err) => {
          throw new Error(`daemon '${id}': ${errorMessage(err)}`);
        })
      ),
    );
    const failures = results.filter((r): r is PromiseRejectedResult =>
      r.status === "rejected"
    );
    if (failures.length) {
      // Roll back on the daemons where the spawn worked.
      involved.forEach((id, i) => {
        if (results[i].status === "fulfilled") {
          this.daemons.get(id)?.peer.call("stop", {
            uuid: record.uuid,
            force: true,
          })
            .catch(() => {});
        }
      });
      const error = failures.map((f) => errorMessage(f.reason)).join("; ");
      this.live.delete(record.uuid);
      Object.assign(record, { status: "failed", error, updatedAt: Date.now() });
      this.config.store.putDataflow(record);
      live.settle({
        uuid: record.uuid,
        name,
        status: "failed",
        error,
        results: {},
      });
      throw new Error(`failed to start dataflow: ${error}`);
    }
    const current = this.config.store.getDataflow(record.uuid)!;
    if (current.status === "pending") {
      current.status = "running";
      current.updatedAt = Date.now();
      this.config.store.putDataflow(current);
    }
    this.config.log(
      `started dataflow ${record.uuid}${name ? ` (${name})` : ""}`,
    );
    return current;
  }

  /** Asks every daemon of `uuid` to stop it and resolves with the outcome. */
  async stop(
    uuid: string,
    opts: { graceMs?: number; force?: boolean },
  ): Promise<DataflowOutcome> {
    const live = this.live.get(uuid);
    const record = this.config.store.getDataflow(uuid);
    if (!live || !record) {
      const who = record?.name ? `'${record.name}' (${uuid})` : uuid;
      throw new Error(
        record
          ? `dataflow ${who} is not running (${
            isTerminal(record.status)
              ? `it ${record.status}`
              : `status: ${record.status}`
          })`
          : `no dataflow ${uuid}`,
      );
    }
    live.stopRequested = true;
    if (record.status === "running") {
      record.status = "stopping";
      record.updatedAt = Date.now();
      this.config.store.putDataflow(record);
    }
    for (const id of live.daemons) {
      const d = this.daemons.get(id);
      if (!d) continue;
      d.peer.call("stop", { uuid, graceMs: opts.graceMs, force: opts.force })
        .catch((err) =>
          this.config.log(`stop on daemon '${id}' failed: ${errorMessage(err)}`)
        );
    }
    return await live.wait();
  }

  /** Waits for a dataflow to end (immediately if it already has). */
  async wait(uuid: string): Promise<DataflowOutcome> {
    const live = this.live.get(uuid);
    if (live) return await live.wait();
    const r = this.config.store.getDataflow(uuid);
    if (!r) throw new Error(`no dataflow ${uuid}`);
    return {
      uuid,
      name: r.name,
      status: r.status === "failed" ? "failed" : "finished",
      error: r.error,
      results: r.nodeResults ?? {},
      fault: r.fault,
    };
  }

  /** The descriptor stored for a dataflow. */
  descriptorOf(record: DataflowRecord): Dataflow {
    return decodeJson(record.descriptor) as Dataflow;
  }

  /** Stops every dataflow, then every daemon; resolves when they are gone. */
  async destroy(force: boolean): Promise<{ pids: number[] }> {
    await Promise.allSettled(
      [...this.live.keys()].map((uuid) =>
        withTimeout(
          this.stop(uuid, { force }),
          30_000,
          `dataflow ${uuid} did not stop within 30s`,
        )
      ),
    );
    const daemons = this.daemons.connected();
    const pids = daemons.map((d) => d.peer.data.pid as number).filter(Boolean);
    await Promise.allSettled(daemons.map(async (d) => {
      await withTimeout(
        d.peer.call("destroy", { force }),
        20_000,
        "destroy timeout",
      )
        .catch(() => {});
      await withTimeout(d.peer.closed, 5_000, "close timeout").catch(() => {});
    }));
    return { pids: [...pids, Deno.pid] };
  }
}
