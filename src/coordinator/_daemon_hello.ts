/**
 * A daemon joining: version check, registration, and re-adoption of the
 * dataflows it still runs (after a coordinator restart).
 *
 * @module
 */
import { DORA_VERSION } from "../version.ts";
import type {
  AdoptReport,
  DaemonHello,
  DaemonWelcome,
} from "../control/coordinator_daemon.ts";
import { encodeJson } from "../control/json.ts";
import type { Peer } from "../control/peer.ts";
import { versionMismatch, VersionMismatchError } from "../control/protocol.ts";
import type { Coordinator } from "./coordinator.ts";
import { mergeFault } from "./fault.ts";
import { LiveDataflow } from "./live.ts";
import { maybeRelease, maybeSettle } from "./_settle.ts";
import { syncParamsTo } from "./_params.ts";
import type { ParamValue } from "../descriptor/node_params.ts";
import { isTerminal } from "../store/types.ts";

/** Handles a daemon's `hello`: version check, registration, re-adoption. */
export function daemonHello(
  c: Coordinator,
  peer: Peer,
  params: DaemonHello & { version: string; role?: string; pid?: number },
): DaemonWelcome {
  const mismatch = versionMismatch(
    { role: "the coordinator", version: DORA_VERSION },
    { role: "the daemon", version: params.version },
  );
  if (mismatch) throw new VersionMismatchError(mismatch);
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
  c.daemons.register({
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
  c.config.store.putDaemon({
    daemonId,
    machineId: params.machineId,
    labels: params.labels ?? {},
    lastSeen: now,
  });
  for (const report of params.dataflows ?? []) adopt(c, daemonId, report);
  c.config.log(`daemon "${daemonId}" registered`);
  return {
    version: DORA_VERSION,
    daemonId,
    heartbeatMs: c.config.heartbeatMs,
  };
}

/** Takes over a dataflow a daemon reports it runs. */
function adopt(c: Coordinator, daemonId: string, report: AdoptReport): void {
  const now = Date.now();
  let record = c.config.store.getDataflow(report.uuid);
  if (
    record?.stopRequested && isTerminal(record.status) &&
    report.state === "running"
  ) {
    // Stopped while this daemon was away: its part stops now too.
    c.daemons.get(daemonId)?.peer.call("stop", { uuid: report.uuid })
      .catch(() => {});
    c.config.log(
      `daemon "${daemonId}" came back running dataflow ${report.uuid}, which was stopped meanwhile: stopping it there`,
    );
    return;
  }
  const fresh = !record;
  if (!record) {
    record = {
      uuid: report.uuid,
      name: report.name,
      status: "running",
      descriptor: encodeJson(report.descriptor),
      ...(report.source !== undefined ? { source: report.source } : {}),
      env: report.env,
      nodeToDaemon: report.nodeToDaemon,
      createdAt: report.startedAt ?? now,
      updatedAt: now,
    };
  }

  let live = c.live.get(report.uuid);
  if (!live) {
    live = new LiveDataflow(report.uuid, Object.values(report.nodeToDaemon));
    c.live.set(report.uuid, live);
  }
  // The store keeps the parameters (across a restart with SQLite); when it
  // did not know the dataflow (a memory store), its daemons' values are the
  // ones in force, each daemon's for its own nodes.
  if (fresh) live.paramsFromDaemons = true;
  if (live.paramsFromDaemons) {
    for (const [node, json] of Object.entries(report.params ?? {})) {
      for (const [key, value] of Object.entries(JSON.parse(json))) {
        c.config.store.putParam(report.uuid, node, key, value as ParamValue);
      }
    }
  }
  // The ready barrier is latched: a daemon that missed `release` (the old
  // coordinator died in between) gets it now; otherwise release once every
  // daemon is ready again.
  if (report.ready !== false) live.ready.add(daemonId);
  if (report.released !== false) live.released = true;
  if (live.released) {
    if (report.released === false) {
      c.daemons.get(daemonId)?.peer.notify("release", { uuid: live.uuid });
    }
  } else maybeRelease(c, live);
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
  c.config.store.putDataflow(record);
  if (!live.paramsFromDaemons && report.state === "running") {
    // After the daemon's `hello` is answered: it may have missed changes.
    setTimeout(() => syncParamsTo(c, daemonId, report.uuid), 0);
  }
  c.config.log(`daemon "${daemonId}" re-adopted dataflow ${report.uuid}`);
  maybeSettle(c, live);
}
