/**
 * The persistent store: an SQLite file through `node:sqlite` (WAL mode).
 * Rows hold JSON documents; a row that fails to parse is skipped with a
 * warning so one corrupt record never disables recovery.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { ParamValue } from "../descriptor/node_params.ts";
import type {
  CoordinatorStore,
  DaemonRecord,
  DataflowParams,
  DataflowRecord,
} from "./types.ts";
import { MAX_TERMINAL_RECORDS } from "./types.ts";

/** 2: runtime parameters (`params`). */
const SCHEMA_VERSION = 2;

/** A store backed by an SQLite database file. */
export class SqliteStore implements CoordinatorStore {
  readonly kind: string;
  #db: DatabaseSync;

  constructor(path: string) {
    this.kind = `sqlite:${path}`;
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (dir) Deno.mkdirSync(dir, { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA busy_timeout = 2000;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS dataflows (
        uuid TEXT PRIMARY KEY, created_at INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS daemons (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS params (
        uuid TEXT NOT NULL, node TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (uuid, node, key));
    `);
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'schema'")
      .get() as { value: string } | undefined;
    if (row && Number(row.value) > SCHEMA_VERSION) {
      throw new Error(
        `store ${path} was written by a newer dora (schema ${row.value}); upgrade dora or use another --store path`,
      );
    }
    this.#db.prepare(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
    ).run(String(SCHEMA_VERSION));
  }

  putDataflow(record: DataflowRecord): void {
    this.#db.prepare(
      "INSERT OR REPLACE INTO dataflows (uuid, created_at, status, doc) VALUES (?, ?, ?, ?)",
    ).run(record.uuid, record.createdAt, record.status, JSON.stringify(record));
    if (record.status === "finished" || record.status === "failed") {
      this.#db.prepare(
        `DELETE FROM dataflows WHERE uuid IN (SELECT uuid FROM dataflows
          WHERE status IN ('finished','failed') ORDER BY created_at DESC LIMIT -1 OFFSET ?)`,
      ).run(MAX_TERMINAL_RECORDS);
      this.#db.prepare(
        "DELETE FROM params WHERE uuid NOT IN (SELECT uuid FROM dataflows)",
      ).run();
    }
  }

  getDataflow(uuid: string): DataflowRecord | undefined {
    const row = this.#db.prepare("SELECT doc FROM dataflows WHERE uuid = ?")
      .get(uuid) as { doc: string } | undefined;
    return row ? parseRow<DataflowRecord>(row.doc, uuid) : undefined;
  }

  listDataflows(): DataflowRecord[] {
    const rows = this.#db.prepare(
      "SELECT uuid, doc FROM dataflows ORDER BY created_at",
    ).all() as { uuid: string; doc: string }[];
    return rows.map((r) => parseRow<DataflowRecord>(r.doc, r.uuid))
      .filter((r): r is DataflowRecord => r !== undefined);
  }

  deleteDataflow(uuid: string): void {
    this.#db.prepare("DELETE FROM dataflows WHERE uuid = ?").run(uuid);
    this.#db.prepare("DELETE FROM params WHERE uuid = ?").run(uuid);
  }

  putParam(uuid: string, node: string, key: string, value: ParamValue): void {
    this.#db.prepare(
      "INSERT OR REPLACE INTO params (uuid, node, key, value) VALUES (?, ?, ?, ?)",
    ).run(uuid, node, key, JSON.stringify(value));
  }

  deleteParam(uuid: string, node: string, key: string): boolean {
    const r = this.#db.prepare(
      "DELETE FROM params WHERE uuid = ? AND node = ? AND key = ?",
    ).run(uuid, node, key);
    return Number(r.changes) > 0;
  }

  getParams(uuid: string): DataflowParams {
    const rows = this.#db.prepare(
      "SELECT node, key, value FROM params WHERE uuid = ? ORDER BY node, key",
    ).all(uuid) as { node: string; key: string; value: string }[];
    const out: DataflowParams = {};
    for (const r of rows) {
      const value = parseRow<ParamValue>(r.value, `${uuid}/${r.node}/${r.key}`);
      if (value !== undefined) (out[r.node] ??= {})[r.key] = value;
    }
    return out;
  }

  setParams(uuid: string, params: DataflowParams): void {
    this.#db.exec("BEGIN");
    try {
      this.#db.prepare("DELETE FROM params WHERE uuid = ?").run(uuid);
      const put = this.#db.prepare(
        "INSERT INTO params (uuid, node, key, value) VALUES (?, ?, ?, ?)",
      );
      for (const [node, p] of Object.entries(params)) {
        for (const [key, value] of Object.entries(p)) {
          put.run(uuid, node, key, JSON.stringify(value));
        }
      }
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  putDaemon(record: DaemonRecord): void {
    this.#db.prepare("INSERT OR REPLACE INTO daemons (id, doc) VALUES (?, ?)")
      .run(record.daemonId, JSON.stringify(record));
  }

  listDaemons(): DaemonRecord[] {
    const rows = this.#db.prepare("SELECT id, doc FROM daemons").all() as {
      id: string;
      doc: string;
    }[];
    return rows.map((r) => parseRow<DaemonRecord>(r.doc, r.id))
      .filter((r): r is DaemonRecord => r !== undefined);
  }

  close(): void {
    try {
      this.#db.close();
    } catch {
      // already closed
    }
  }
}

function parseRow<T>(doc: string, key: string): T | undefined {
  try {
    return JSON.parse(doc) as T;
  } catch {
    console.error(`warning: skipping corrupt store record ${key}`);
    return undefined;
  }
}
