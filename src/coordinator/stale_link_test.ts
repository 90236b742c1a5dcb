import assert from "node:assert/strict";
import type { Peer } from "../control/peer.ts";
import { DORA_VERSION } from "../version.ts";
import { MemoryStore } from "../store/memory.ts";
import { Coordinator } from "./coordinator.ts";
import { LiveDataflow } from "./live.ts";

/** A daemon's control link as the coordinator sees it (no socket). */
function link(): Peer {
  return {
    data: {},
    isClosed: false,
    notify() {},
    call: () => Promise.resolve({}),
    close() {
      (this as { isClosed: boolean }).isClosed = true;
    },
  } as unknown as Peer;
}

function hello(c: Coordinator, peer: Peer) {
  c.daemonHello(peer, {
    version: DORA_VERSION,
    role: "daemon",
    machineId: "A",
    labels: {},
    dataAddr: { host: "127.0.0.1", port: 1 },
    dataflows: [],
  });
}

function coordinator(): Coordinator {
  return new Coordinator({
    interface: "127.0.0.1",
    port: 0,
    store: new MemoryStore(),
    heartbeatMs: 60_000,
    daemonTimeoutMs: 60_000,
    log: () => {},
  });
}

Deno.test("Coordinator.onDaemonEvent() ignores events from a daemon's previous link", () => {
  const c = coordinator();
  try {
    const old = link();
    hello(c, old);
    const live = new LiveDataflow("df", ["A"]);
    c.live.set("df", live);
    // The link drops; the daemon comes back on a new one.
    c.onDaemonClose(old);
    const current = link();
    hello(c, current);
    const finished = { uuid: "df", results: { cam: { ok: true } } };
    c.onDaemonEvent(old, "dataflow_finished", finished);
    c.onDaemonEvent(old, "dataflow_ready", { uuid: "df" });
    assert.equal(live.outcome, undefined, "a stale link settled the dataflow");
    assert.equal(live.ready.size, 0);
    c.onDaemonEvent(current, "dataflow_finished", finished);
    const settled = live.outcome as { status: string } | undefined;
    assert.equal(settled?.status, "finished");
  } finally {
    c.close();
  }
});

Deno.test("Coordinator.onDaemonEvent() ignores events sent before hello", () => {
  const c = coordinator();
  try {
    const live = new LiveDataflow("df", ["A"]);
    c.live.set("df", live);
    c.onDaemonEvent(link(), "dataflow_finished", { uuid: "df", results: {} });
    assert.equal(live.outcome, undefined);
  } finally {
    c.close();
  }
});
