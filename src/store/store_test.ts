import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MemoryStore } from "./memory.ts";
import { SqliteStore } from "./sqlite.ts";
import type { CoordinatorStore, DataflowRecord } from "./types.ts";
import { MAX_TERMINAL_RECORDS } from "./types.ts";

function record(
  uuid: string,
  createdAt: number,
  status: DataflowRecord["status"] = "running",
): DataflowRecord {
  return {
    uuid,
    name: `df-${uuid}`,
    status,
    descriptor: "{}",
    env: {},
    nodeToDaemon: { a: "default" },
    createdAt,
    updatedAt: createdAt,
  };
}

function exercise(store: CoordinatorStore) {
  store.putDataflow(record("b", 2));
  store.putDataflow(record("a", 1));
  assert.deepEqual(store.listDataflows().map((r) => r.uuid), ["a", "b"]);
  const a = store.getDataflow("a")!;
  a.status = "finished";
  store.putDataflow(a);
  assert.equal(store.getDataflow("a")?.status, "finished");
  store.setParams("b", { cam: { fps: 30 }, empty: {} });
  store.putParam("a", "cam", "cfg", { nested: [1, null, "x"] });
  store.putParam("a", "cam", "gone", null);
  store.putParam("a", "lidar", "hz", 10);
  assert.equal(store.deleteParam("a", "cam", "gone"), true);
  assert.equal(store.deleteParam("a", "cam", "gone"), false);
  assert.deepEqual(store.getParams("a"), {
    cam: { cfg: { nested: [1, null, "x"] } },
    lidar: { hz: 10 },
  });
  assert.deepEqual(store.getParams("b"), { cam: { fps: 30 } });
  store.deleteDataflow("b");
  assert.equal(store.getDataflow("b"), undefined);
  assert.deepEqual(store.getParams("b"), {});
  store.putDaemon({
    daemonId: "A",
    machineId: "A",
    labels: { gpu: "1" },
    lastSeen: 5,
  });
  assert.deepEqual(store.listDaemons(), [{
    daemonId: "A",
    machineId: "A",
    labels: { gpu: "1" },
    lastSeen: 5,
  }]);
}

Deno.test("MemoryStore keeps dataflows, daemons and params", () => {
  exercise(new MemoryStore());
});

Deno.test("SqliteStore keeps dataflows and params across reopen and skips a corrupt row", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/store.sqlite`;
  try {
    const store = new SqliteStore(path);
    exercise(store);
    store.close();
    const db = new DatabaseSync(path);
    db.prepare(
      "INSERT INTO dataflows (uuid, created_at, status, doc) VALUES ('bad', 9, 'running', '{oops')",
    ).run();
    db.close();
    const again = new SqliteStore(path);
    assert.deepEqual(again.listDataflows().map((r) => [r.uuid, r.status]), [[
      "a",
      "finished",
    ]]);
    assert.equal(again.listDaemons()[0]?.daemonId, "A");
    assert.deepEqual(again.getParams("a"), {
      cam: { cfg: { nested: [1, null, "x"] } },
      lidar: { hz: 10 },
    });
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MemoryStore and SqliteStore keep at most MAX_TERMINAL_RECORDS finished dataflows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const store of [new MemoryStore(), new SqliteStore(`${dir}/s.db`)]) {
      store.putDataflow(record("live", 0));
      for (let i = 1; i <= MAX_TERMINAL_RECORDS + 5; i++) {
        store.putDataflow(record(`d${i}`, i, "finished"));
      }
      const uuids = store.listDataflows().map((r) => r.uuid);
      assert.equal(uuids.length, MAX_TERMINAL_RECORDS + 1, store.kind);
      assert.ok(uuids.includes("live"), "a running dataflow is never pruned");
      assert.ok(!uuids.includes("d5") && uuids.includes("d6"), store.kind);
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
